"""Flask extensions, created here and bound to the app in create_app."""
import threading

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

# The live path's write transactions (a play-through's start and end, step counts,
# job rows) take this lock from their first write to their commit.  SQLite has one
# writer at a time and makes a waiting one sleep in growing steps (1, 2, 5, ... 100 ms)
# before it tries again, so writers that met each other waited hundreds of
# milliseconds for a lock free after one; here the next writer wakes as soon as the
# last one commits.  It is always taken last (a game's end takes it under the
# play-through's lock): while holding it, nothing waits for another lock or for a
# Redis subscription.  Other writers (page routes, the RQ worker) still meet SQLite's
# own busy handling.
write_gate = threading.RLock()
