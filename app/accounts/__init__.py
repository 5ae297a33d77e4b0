"""Accounts, sign-in and scoped roles."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
