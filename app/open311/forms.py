from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class ApiKeyForm(FlaskForm):
    """A new API key; the default area comes from the cascading area picker next to these fields."""

    name = StringField(_l("Name of the key"), validators=[
        DataRequired(_l("Give the key a name, e.g. the app that will use it.")),
        Length(max=80, message=_l("Give the key a name of 1 to 80 characters.")),
    ])
    organisation_id = SelectField(_l("Organisation holding the key (optional)"), coerce=int, default=0,
                                  validate_choice=True)
    #: with more organisations than one list can show, the organisation is named here instead
    organisation_name = StringField(_l("Organisation holding the key (optional)"), validators=[
        Optional(), Length(max=120, message=_l("An organisation's name is at most 120 characters.")),
    ])
    owner = StringField(_l("Owner and contact (optional)"), validators=[
        Optional(), Length(max=200, message=_l("The owner description may be at most 200 characters.")),
    ])
