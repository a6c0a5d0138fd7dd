"""Forms for verifying and revoking certificates."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class VerifyUploadForm(FlaskForm):
    file = FileField("Certificate PDF", validators=[FileRequired("Choose the certificate PDF to check.")],
                     description="The PDF exactly as you received it. It is checked, not stored.")


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason for revocation (kept in the audit log and shown on the verify page)",
                           validators=[DataRequired(), Length(min=5, max=1000)])
