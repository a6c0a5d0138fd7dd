"""The baseline: a bare Flask app that returns a fixed string, served like the real one."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
