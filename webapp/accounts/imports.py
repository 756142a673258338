"""Students from a CSV file: checked in the request, created by a background job.

The request reads and checks the whole file (size, rows, field lengths,
usernames, addresses) and reports every problem with its line number;
nothing is created if there is any.  Hashing the passwords is what takes
time (about 0.1 s each), so a job does that with a progress bar, then
creates every account in one transaction, and writes the generated
passwords to a file only the requesting admin can read, until they forget it.
"""
import csv
import io
import json
import os
import pathlib
import secrets

from flask import current_app
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import User, clean_display_name
from .services import (MAX_EMAIL, AccountError, check_password, check_username,
                       generate_password, set_email)

MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 2000
MAX_FIELD = 256
COLUMNS = ("username", "name", "password", "email")


class CsvRefused(ValueError):
    """The file cannot be imported; ``errors`` lists why, line by line."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


def decode(raw):
    if not raw:
        raise CsvRefused(["Please choose a CSV file."])
    if len(raw) > MAX_CSV_BYTES:
        raise CsvRefused(["The file is larger than 1 MB."])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused(["The file is not UTF-8 text; save it as “CSV UTF-8”."]) from None


def lines_of(text):
    """(line number, cells) of a CSV text, with the limits on rows and field sizes."""
    reader = csv.reader(io.StringIO(text))
    rows = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:   # a field over the csv module's limit, a NUL byte...
            raise CsvRefused([f"Line {reader.line_num}: the file cannot be read as CSV "
                                f"({exc})."]) from None
        if any(len(c) > MAX_FIELD for c in cells):
            raise CsvRefused([f"Line {reader.line_num}: a field is longer than "
                                f"{MAX_FIELD} characters."])
        rows += 1
        if rows > MAX_CSV_ROWS + 1:
            raise CsvRefused([f"The file has more than {MAX_CSV_ROWS} students."])
        yield reader.line_num, [c.strip() for c in cells]


def column_order(cells):
    """The columns named by a header line, or None if the line is not a header."""
    names = [c.lower() for c in cells]
    if not names or names[0] != "username":
        return None
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        raise CsvRefused([f"Line 1: unknown column {unknown[0]!r}; use "
                            f"{', '.join(COLUMNS)}."])
    return names


def parse_students_csv(text):
    """Checked rows {line, username, name, password, email}; raises CsvRefused."""
    rows, errors, seen, emails = [], [], set(), set()
    order = list(COLUMNS)
    for number, cells in lines_of(text):
        if not any(cells):
            continue
        if number == 1 and (header := column_order(cells)) is not None:
            order = header
            continue
        if len(cells) > len(order):
            errors.append(f"Line {number}: {len(cells)} columns; at most {len(order)} "
                          f"({', '.join(order)}).")
            continue
        row = dict(zip(order, cells + [""] * (len(order) - len(cells))))
        row = {k: row.get(k, "") for k in COLUMNS}
        try:
            check_row(row, seen, emails)
        except AccountError as exc:
            errors.append(f"Line {number}: {exc}")
            continue
        rows.append({**row, "line": number, "name": clean_display_name(row["name"])})
    if not rows and not errors:
        errors.append("The file has no students in it.")
    if errors:
        raise CsvRefused(errors)
    return rows


def check_row(row, seen, emails):
    check_username(row["username"])
    if row["username"].lower() in seen:
        raise AccountError(f"The username “{row['username']}” appears twice in the file.")
    if not clean_display_name(row["name"]):
        raise AccountError("The name is missing.")
    if row["password"]:
        check_password(row["password"])
    if row["email"]:
        set_email(User(), row["email"])         # the same checks as the account form
        if row["email"].lower() in emails:
            raise AccountError(f"The address {row['email']} appears twice in the file.")
        emails.add(row["email"].lower()[:MAX_EMAIL])
    seen.add(row["username"].lower())


def imports_dir():
    path = pathlib.Path(current_app.config["DATA_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def private_file(path, text):
    """Write ``text`` to a new file only this user can read (it holds passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return str(path)


def save_rows(rows):
    """Keep the checked rows for the job; returns the file's path."""
    return private_file(imports_dir() / f"in-{secrets.token_hex(8)}.json", json.dumps(rows))


def create_students(path, job_id, progress=None):
    """Hash every password (with progress), then create all the students at once."""
    rows = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    try:
        for row in rows:          # fail before the slow part if a name was taken meanwhile
            check_username(row["username"])
    except AccountError as exc:
        raise AccountError(f"Nothing was created: {exc}") from None
    made = []
    for i, row in enumerate(rows):
        generated = None if row["password"] else generate_password()
        made.append((row, generated, generate_password_hash(row["password"] or generated)))
        if progress and (i % 5 == 4 or i == len(rows) - 1):
            progress(i + 1, len(rows), f"{i + 1} of {len(rows)} students")
    try:
        for row, _, hashed in made:
            check_username(row["username"])       # someone may have taken it meanwhile
            user = User(username=row["username"], display_name=row["name"], kind="student",
                        password_hash=hashed, session_version=1)
            set_email(user, row["email"])
            db.session.add(user)
        db.session.commit()
    except AccountError as exc:      # the file stays for a retry; "forget" deletes it
        db.session.rollback()
        raise AccountError(f"Nothing was created: {exc}") from None
    os.unlink(path)
    return {"result_path": write_passwords(job_id, made), "result_name": "students.csv",
            "created": len(made)}


def write_passwords(job_id, made):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "name", "password"])
    for row, generated, _ in made:
        writer.writerow([row["username"], row["name"], generated or ""])
    return private_file(imports_dir() / f"out-{job_id}.csv", out.getvalue())


def created_rows(record):
    """(username, name, generated password or "") rows of a finished import job."""
    if not record.result_path or not os.path.isfile(record.result_path):
        return None
    with open(record.result_path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[1:]


def forget_passwords(record):
    """Delete the files of an import job: its generated passwords, its checked rows."""
    for path in [record.result_path] + list((record.params or {}).get("args") or []):
        if path and os.path.isfile(path) and pathlib.Path(path).parent == imports_dir():
            os.unlink(path)
    record.result_path = None
    db.session.commit()
