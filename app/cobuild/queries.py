"""Read-only queries for the checklist pages — each a bounded number of statements whatever the number of items."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.scope import is_city_admin, org_ids, role_areas
from app.areas.models import Area
from app.cobuild.models import KINDS, OPEN_STATES, ChecklistClaim, ChecklistItem, ItemProgress, ProjectLink
from app.extensions import db
from app.organisations.models import Pairing
from app.uploads.models import Upload
from app.web.pagination import Page, keyset_page

PAIRING_KEYS = [(Pairing.year, "desc"), (Pairing.id, "desc")]
ITEM_KEYS = [(ChecklistItem.id, "asc")]
OPEN_KEYS = [(ChecklistItem.id, "desc")]
CHOICES_MAX = 300


def pairings_statement(user) -> Select:
    """Pairings the user belongs to: the branch's admins and members, the community's staff, the street office."""
    orgs = org_ids(user, ("agency_admin", "member"))
    conds = []
    if orgs:
        conds.append(Pairing.organisation_id.in_(orgs))
    areas = role_areas(user, ("community_staff", "street_admin"))
    if areas:
        subtree = select(Area.id).where(or_(*[Area.in_subtree(a.path) for a in areas]))
        conds.append(Pairing.community_id.in_(subtree))
    stmt = select(Pairing).options(selectinload(Pairing.organisation),
                                   selectinload(Pairing.community).selectinload(Area.parent))
    if is_city_admin(user):
        return stmt
    return stmt.where(or_(*conds) if conds else false())


@dataclass
class Summary:
    counts: dict = field(default_factory=lambda: {k: 0 for k in KINDS})
    progress: int = 0
    total: int = 0


def summaries(pairing_ids: list[int]) -> dict[int, Summary]:
    """Per pairing: items per list (cancelled left out) and overall progress (the mean percent) — one query."""
    out = {pid: Summary() for pid in pairing_ids}
    if not pairing_ids:
        return out
    rows = db.session.execute(
        select(ChecklistItem.pairing_id, ChecklistItem.kind, func.count(), func.coalesce(func.sum(
            ChecklistItem.progress), 0))
        .where(ChecklistItem.pairing_id.in_(pairing_ids), ChecklistItem.state != "cancelled")
        .group_by(ChecklistItem.pairing_id, ChecklistItem.kind))
    sums: dict[int, int] = {}
    for pid, kind, count, total in rows:
        out[pid].counts[kind] = count
        out[pid].total += count
        sums[pid] = sums.get(pid, 0) + int(total)
    for pid, summary in out.items():
        summary.progress = round(sums.get(pid, 0) / summary.total) if summary.total else 0
    return out


def items_statement(pairing: Pairing, kind: str) -> Select:
    return (select(ChecklistItem).where(ChecklistItem.pairing_id == pairing.id, ChecklistItem.kind == kind)
            .options(selectinload(ChecklistItem.active_claim)))


def all_items(pairing_ids: list[int]) -> list[ChecklistItem]:
    """Every item of the pairings, for the spreadsheet (one query plus the loaders)."""
    return list(db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.pairing_id.in_(pairing_ids or [0]))
        .options(selectinload(ChecklistItem.pairing).selectinload(Pairing.organisation),
                 selectinload(ChecklistItem.community))
        .order_by(ChecklistItem.pairing_id, ChecklistItem.kind, ChecklistItem.id)))


def project_links(project_ids: list[int]) -> dict[int, list[ChecklistItem]]:
    out: dict[int, list[ChecklistItem]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return out
    rows = db.session.execute(
        select(ProjectLink.project_id, ChecklistItem).join(ChecklistItem, ChecklistItem.id == ProjectLink.item_id)
        .where(ProjectLink.project_id.in_(project_ids)).order_by(ChecklistItem.kind, ChecklistItem.id))
    for pid, item in rows:
        out[pid].append(item)
    return out


def project_of(item_ids: list[int]) -> dict[int, ChecklistItem]:
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(ProjectLink.item_id, ChecklistItem).join(ChecklistItem, ChecklistItem.id == ProjectLink.project_id)
        .where(ProjectLink.item_id.in_(item_ids)))
    return {iid: project for iid, project in rows}


def matchable(pairing: Pairing) -> list[ChecklistItem]:
    """Needs and resources of the pairing not yet in a project and not cancelled."""
    linked = select(ProjectLink.item_id)
    return list(db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.pairing_id == pairing.id, ChecklistItem.kind.in_(("need",
                                                                                                     "resource")),
                                    ChecklistItem.state.in_(OPEN_STATES), ChecklistItem.id.not_in(linked))
        .order_by(ChecklistItem.kind, ChecklistItem.id).limit(CHOICES_MAX)))


#: an item's progress notes, newest first
PROGRESS_KEYS = [(ItemProgress.created_at, "desc"), (ItemProgress.id, "desc")]


def progress_entries(item: ChecklistItem, *, cursor: str | None = None, size: int = 50) -> Page:
    """A page of the item's progress notes, each with its photos (``items`` are (note, photos)) — two queries."""
    page = keyset_page(db.session, select(ItemProgress).where(ItemProgress.item_id == item.id)
                       .options(selectinload(ItemProgress.author)), keys=PROGRESS_KEYS, cursor=cursor, size=size)
    photos: dict[int, list[Upload]] = {e.id: [] for e in page.items}
    if page.items:
        for upload in db.session.scalars(select(Upload).where(Upload.subject_type == "checklist_progress",
                                                              Upload.subject_id.in_(list(photos)))
                                         .order_by(Upload.id)):
            photos[upload.subject_id].append(upload)
    return Page(items=[(e, photos[e.id]) for e in page.items], next_cursor=page.next_cursor)


def open_statement(user, publication: str | None = None) -> Select:
    """Unclaimed open needs and key projects the user may see (``policy.open_condition``): an agency admin sees the
    key projects and the open needs of the streets the branch is an agency of; staff and overseers what was
    published in their reach."""
    from app.cobuild.policy import open_condition

    stmt = (select(ChecklistItem).where(ChecklistItem.pairing_id.is_(None), ChecklistItem.publication.is_not(None),
                                        ChecklistItem.state.in_(OPEN_STATES), open_condition(user))
            .options(selectinload(ChecklistItem.community).selectinload(Area.parent)))
    if publication:
        stmt = stmt.where(ChecklistItem.publication == publication)
    return stmt


def key_projects_statement() -> Select:
    """Key projects for the public page: claimed or not, not cancelled; the claimant and its branch loaded."""
    return (select(ChecklistItem).where(ChecklistItem.publication == "city", ChecklistItem.state != "cancelled")
            .options(selectinload(ChecklistItem.community).selectinload(Area.parent),
                     selectinload(ChecklistItem.active_claim).selectinload(ChecklistClaim.organisation)))


def streets_in_reach(user) -> list[Area]:
    if is_city_admin(user):
        return list(db.session.scalars(select(Area).where(Area.level == "street").order_by(Area.id)
                                       .limit(CHOICES_MAX)))
    return [a for a in role_areas(user, "street_admin") if a.level == "street"]


def pairings_in_area(area: Area) -> list[int]:
    """Pairing ids of every community in ``area`` (a street or the city)."""
    return list(db.session.scalars(
        select(Pairing.id).join(Area, Area.id == Pairing.community_id).where(Area.in_subtree(area.path))
        .order_by(Pairing.id).limit(5000)))


# ---------------------------------------------------------------- lookups for the pages (loading, choices)


def pairing_options() -> list:
    """What a pairing's pages show with it: the branch, the community and its street — one row each, joined to the
    pairing's own statement rather than a round trip each."""
    return [joinedload(Pairing.organisation), joinedload(Pairing.community).joinedload(Area.parent)]


def item_options() -> list:
    """What an item's page shows with it: its pairing's branch, the community, who agreed, the claim."""
    return [selectinload(ChecklistItem.pairing).selectinload(Pairing.organisation),
            selectinload(ChecklistItem.pairing).selectinload(Pairing.community),
            selectinload(ChecklistItem.community).selectinload(Area.parent),
            selectinload(ChecklistItem.community_agreed_by), selectinload(ChecklistItem.agency_agreed_by),
            selectinload(ChecklistItem.active_claim).selectinload(ChecklistClaim.organisation)]


def publish_communities(user) -> list[Area]:
    """The communities the user may publish in: in the street office's reach (key projects), else the user's own
    communities (open needs)."""
    from app.accounts.scope import area_scope
    from app.cobuild.policy import can_publish_key_project

    if can_publish_key_project(user):
        return list(db.session.scalars(
            select(Area).where(Area.level == "community", area_scope(user, Area.id, "street_admin"))
            .order_by(Area.parent_id, Area.id).limit(CHOICES_MAX)))
    return [a for a in role_areas(user, "community_staff") if a.level == "community"]


def claim_choices(user, item: ChecklistItem) -> list[tuple[int, str]]:
    """The branches the user may claim ``item`` for, with their names."""
    from app.accounts.scope import assignments
    from app.cobuild.policy import claimable_org_ids

    org_ids_ = claimable_org_ids(user, item)
    if not org_ids_:
        return []
    names = {a.organisation_id: a.organisation.name for a in assignments(user) if a.organisation}
    return [(oid, names.get(oid, str(oid))) for oid in org_ids_]
