"""Import every model so metadata (create_all, Alembic autogenerate) sees all tables."""
from app.accounts.models import RoleAssignment, User  # noqa: F401
from app.areas.models import Area, StaffingPost  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.cobuild import models as _cobuild  # noqa: F401
from app.issues import models as _issues  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.open311 import models as _open311  # noqa: F401
from app.organisations.models import Organisation, Pairing  # noqa: F401
from app.timeline.models import TimelineEntry  # noqa: F401
from app.uploads.models import Upload  # noqa: F401
from app.wishes import models as _wishes  # noqa: F401
