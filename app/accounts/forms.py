from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

MOBILE_MESSAGE = _l("Enter an 11-digit mainland mobile number, e.g. 13800138000.")


class LoginForm(FlaskForm):
    username = StringField(_l("Username or mobile number"),
                           validators=[DataRequired(_l("Enter your username or mobile number.")), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in on this phone"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(MOBILE_MESSAGE),
                                                          Regexp(r"^1[3-9]\d{9}$", message=MOBILE_MESSAGE)])
    display_name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")),
        Length(max=20, message=_l("Your name must be 1 to 20 characters.")),
    ])
    username = StringField(_l("Username (optional)"), validators=[
        Optional(),
        Regexp(r"^[A-Za-z][A-Za-z0-9_]{2,29}$",
               message=_l("A username is 3–30 letters, digits or underscores and starts with a letter.")),
    ])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password.")),
        Length(min=8, max=128, message=_l("The password must be 8 to 128 characters.")),
    ])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", message=_l("The two passwords differ.")),
    ])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password.")), Length(max=128)])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a new password.")),
        Length(min=8, max=128, message=_l("The password must be 8 to 128 characters.")),
    ])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("new_password", message=_l("The two passwords differ.")),
    ])


# ---------------------------------------------------------------- people administration (/users/)


class PersonForm(FlaskForm):
    """A new account made by staff. Home micro-grid (picker) and the initial role's place are read by the route."""

    display_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter their name.")),
        Length(max=20, message=_l("The name must be 1 to 20 characters.")),
    ])
    username = StringField(_l("Username"), validators=[Optional(), Length(max=30, message=_l(
        "A username is 3–30 letters, digits or underscores and starts with a letter."))])
    mobile = StringField(_l("Mobile number"), validators=[Optional(), Length(max=11, message=MOBILE_MESSAGE)])
    role = SelectField(_l("Initial role (optional)"), choices=[], validate_choice=False)
    organisation_id = SelectField(_l("Organisation (for an organisation role)"), choices=[], validate_choice=False)


class GrantRoleForm(FlaskForm):
    """The area comes from the cascading picker (the level that fits the role); an organisation from the select."""

    role = SelectField(_l("Role"), choices=[], validate_choice=False)
    organisation_id = SelectField(_l("Organisation (for an organisation role)"), choices=[], validate_choice=False)

