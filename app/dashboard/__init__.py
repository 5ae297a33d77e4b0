from flask import Blueprint

#: /dashboard/… for the people who run an area, /figures/ for everyone (routes carry their full paths)
bp = Blueprint("dashboard", __name__)
