from services.registration.bootstrap import build_app
from services.registration.config import RegistrationSettings
from shared.serve import serve

settings = RegistrationSettings()
serve(build_app(settings), settings)
