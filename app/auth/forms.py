"""Sign-in and account forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.auth.roles import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=512)],
                             render_kw={"autocomplete": "current-password"})


class LogoutForm(FlaskForm):
    """An empty form: sign-out is a POST with a CSRF token."""


def _role_choices():
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class UserCreateForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=_role_choices(), validators=[DataRequired()])
    agency_id = SelectField("Agency (officers only)", coerce=str, validators=[Optional()])
    password = PasswordField(
        "Initial password", validators=[DataRequired(), Length(max=512)],
        description="At least 12 characters. Long passphrases are welcome; common "
                    "passwords are refused.",
        render_kw={"autocomplete": "new-password"})


class UserEditForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=_role_choices(), validators=[DataRequired()])
    agency_id = SelectField("Agency (officers only)", coerce=str, validators=[Optional()])
    active = BooleanField("Account active")
    new_password = PasswordField(
        "New password (leave empty to keep the current one)",
        validators=[Optional(), Length(max=512)],
        render_kw={"autocomplete": "new-password"})


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=100)],
                       description="For example: the county jail's records system.")
