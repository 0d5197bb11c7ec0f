from services.projects.bootstrap import build_app
from services.projects.config import ProjectsSettings
from shared.serve import serve

settings = ProjectsSettings()
serve(build_app(settings), settings)
