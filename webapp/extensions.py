"""Flask extensions, created here and bound to the app in create_app."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

# Rows stay usable after a commit (no reload on the next attribute access): the live
# path reads rows, commits to give the connection back, then works from what it read.
db = SQLAlchemy(session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
sock = Sock()

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."

