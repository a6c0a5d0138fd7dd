"""Course views (filled in by the courses feature)."""
from flask import Blueprint

bp = Blueprint("courses", __name__)
