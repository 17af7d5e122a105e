"""Flask extension instances, bound to the app in create_app."""

from flask_babel import Babel, gettext
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from tracker.errors import N_

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
login_manager.localize_callback = gettext
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
