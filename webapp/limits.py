"""Request size limits: small forms everywhere, larger bodies only where files are uploaded.

The limit is set before anything reads the body (CSRF checks read the form), so
an oversized request is refused from its Content-Length, not spooled to disk.
"""
from flask import render_template, request

# Endpoints that take a file upload, and the config key of their limit.
UPLOADS = {"admin.install": "UPLOAD_MAX_BYTES", "admin.import_students": "CSV_MAX_BYTES"}


def install(app):
    """Register the limits; call before the CSRF extension so they run first."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["FORM_MAX_BYTES"]

    @app.before_request
    def upload_limit():
        key = UPLOADS.get(request.endpoint or "")
        if key is not None:
            request.max_content_length = app.config[key]

    @app.errorhandler(413)
    def too_large(error):
        key = UPLOADS.get(request.endpoint or "", "FORM_MAX_BYTES")
        limit = app.config[key]
        text = f"That request is too large (at most {human(limit)})."
        if request.headers.get("HX-Request"):
            return text, 413
        return render_template("error.html", code=413, message=text), 413


def human(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.0f} {unit}"
        size /= 1024
