"""诉求与事件 — issue tracking: the closed loop 发现 → 反映 → 解决 → 反馈."""
from flask import Blueprint

bp = Blueprint("issues", __name__, url_prefix="/issues")
