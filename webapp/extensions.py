"""Flask extensions, created here and bound to the app in create_app."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

db = SQLAlchemy()
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
sock = Sock()

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see that page."
