from services.notifications.bootstrap import build_app
from services.notifications.config import NotificationsSettings
from shared.serve import serve

settings = NotificationsSettings()
serve(build_app(settings), settings)
