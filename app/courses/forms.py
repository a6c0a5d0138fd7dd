"""Forms for classes and authoring."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ClassForm(FlaskForm):
    title = StringField("Class title", validators=[DataRequired(), Length(max=200)],
                        description="For example: IADP class 27-03, March 2027.")
    course_version_id = SelectField("Course version", coerce=str, validators=[DataRequired()],
                                    description="Officers enrolled in this class read this version.")
    start_date = DateField("Start date", validators=[DataRequired()])
    location = StringField("Location", default="FLETC Charleston, SC",
                           validators=[DataRequired(), Length(max=200)])
    instructor_ids = SelectMultipleField("Other instructors", coerce=str, validators=[Optional()],
                                         description="You teach every class you create.")


class EnrollForm(FlaskForm):
    emails = TextAreaField(
        "Officers' email addresses", validators=[Optional(), Length(max=200_000)],
        description="Paste addresses separated by new lines, commas or spaces.")
    officer_ids = SelectMultipleField("Officers found", coerce=str, validators=[Optional()])


class LessonEditForm(FlaskForm):
    source = TextAreaField(
        "Lesson file (front matter and Markdown)", validators=[DataRequired(), Length(max=200_000)],
        description="The same text as the lesson's file in content/: YAML front matter "
                    "between --- lines, then the lesson in Markdown.")
