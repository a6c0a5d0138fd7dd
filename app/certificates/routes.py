"""Certificates: public verification by serial or upload, officers' downloads, revocation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from io import BytesIO
from sqlalchemy import or_, select
from sqlalchemy.orm import undefer

from app.assessments.models import CourseCompletion
from app.auth.decorators import roles_required
from app.auth.roles import Role
from app.certificates.forms import RevokeForm, VerifyUploadForm
from app.certificates.models import Certificate
from app.certificates.public import public_record, public_status
from app.certificates.services import (
    CertificateError, certificate_by_serial, certificate_revoke, certificate_verify_file,
)
from app.extensions import db
from app.models import utcnow
from app.ratelimit.limiter import rate_limited

IMPORTED_NO_PDF = "imported record: no PDF is held in this system"
SKIPPED_NOTE = "NOT INCLUDED - imported records without PDF.txt"

bp = Blueprint("certificates", __name__)
public_bp = Blueprint("verify", __name__)
STAFF = (Role.CREDENTIALING, Role.MANAGER, Role.ADMIN)


@public_bp.route("/verify/<serial>")
@rate_limited("verify")
def status(serial: str):
    """Public: a certificate's status, holder, course and dates; no other personal data."""
    record = public_record(serial)
    if record is None:
        return render_template("certificates/verify_status.html", certificate=None, serial=serial), 404
    if record.serial != serial:
        return redirect(url_for("verify.status", serial=record.serial), code=301)
    return render_template("certificates/verify_status.html", certificate=record,
                           status=public_status(record, utcnow().date()))


@public_bp.route("/verify", methods=["GET", "POST"])
@rate_limited("verify")
def upload():
    """Public: upload a certificate PDF and see whether it is genuine, unaltered and in force."""
    form = VerifyUploadForm()
    verdict = None
    if form.validate_on_submit():
        data = form.file.data.read()
        actor = current_user if current_user.is_authenticated else None
        verdict = certificate_verify_file(data, today=utcnow().date(), actor=actor, now=utcnow())
    status = 400 if request.method == "POST" and verdict is None else 200
    return render_template("certificates/verify_upload.html", form=form, verdict=verdict), status


@bp.route("/")
@roles_required(Role.OFFICER)
def mine():
    """An officer's certificates, newest first."""
    rows = db.session.execute(select(Certificate).where(Certificate.officer_id == current_user.id)
                              .order_by(Certificate.issued_at.desc())).scalars().all()
    return render_template("certificates/mine.html", certificates=rows, today=utcnow().date())


@bp.route("/<serial>.pdf")
@roles_required(Role.OFFICER, *STAFF)
def download(serial: str):
    """The PDF exactly as issued (its owner, credentialing staff, managers, admins)."""
    certificate = certificate_by_serial(serial)
    if certificate is None or (current_user.role == Role.OFFICER and certificate.officer_id != current_user.id):
        abort(404)
    if certificate.origin == "imported" or certificate.pdf is None:
        return render_template(
            "errors/error.html", status=404, title="No PDF for this certificate",
            message=f"Certificate {certificate.serial} is an {IMPORTED_NO_PDF}. It was carried over from "
                    "the earlier system, which issued the document; its record and status are on the "
                    "verification page."), 404
    return send_file(BytesIO(certificate.pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"certificate-{certificate.serial}.pdf", max_age=0)


@bp.route("/classes/<int:class_id>.zip")
@roles_required(Role.INSTRUCTOR, *STAFF)
def class_zip(class_id: int):
    """Every certificate of a class's officers, as issued, in one ZIP."""
    import zipfile

    from app.courses.class_routes import _class_or_404
    from app.courses.models import Enrollment

    if current_user.role == Role.CREDENTIALING:
        from app.courses.models import TrainingClass

        training_class = db.session.get(TrainingClass, class_id) or abort(404)
    else:
        training_class = _class_or_404(class_id, manage=False)
    rows = db.session.execute(
        select(Certificate).join(CourseCompletion, CourseCompletion.id == Certificate.completion_id)
        .join(Enrollment, Enrollment.id == CourseCompletion.enrollment_id)
        .where(Enrollment.class_id == training_class.id)
        .options(undefer(Certificate.pdf)).order_by(Certificate.holder_name)).scalars().all()
    buffer = BytesIO()
    skipped = [c for c in rows if c.pdf is None]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for c in rows:
            if c.pdf is not None:
                archive.writestr(f"{c.holder_name.replace('/', '-')} - {c.course_code} - {c.serial}.pdf", c.pdf)
        if skipped:
            archive.writestr(SKIPPED_NOTE, skipped_note(skipped))
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"class-{training_class.id}-certificates.zip", max_age=0)


def skipped_note(certificates) -> str:
    """The text, put in a class ZIP, naming the certificates it leaves out and why."""
    lines = [f"{len(certificates)} certificate(s) of this class are not in this ZIP: each is an "
             f"{IMPORTED_NO_PDF}.", "They were carried over from the earlier system, which issued the "
             "documents. Their records can be checked at /verify/<serial>.", ""]
    lines += [f"{c.serial}  {c.course_code}  {c.holder_name}" for c in certificates]
    return "\r\n".join(lines) + "\r\n"


@bp.route("/manage")
@roles_required(*STAFF)
def manage():
    """Find certificates by serial or holder name."""
    q = (request.args.get("q") or "").strip()
    query = select(Certificate).order_by(Certificate.issued_at.desc()).limit(100)
    if q:
        found = certificate_by_serial(q)
        query = query.where(or_(Certificate.id == (found.id if found else -1),
                                Certificate.holder_name.ilike(f"%{q}%")))
    rows = db.session.execute(query).scalars().all()
    return render_template("certificates/manage.html", certificates=rows, q=q, today=utcnow().date(),
                           form=RevokeForm(), can_revoke=current_user.role in (Role.CREDENTIALING, Role.ADMIN))


@bp.route("/<serial>/revoke", methods=["POST"])
@roles_required(Role.CREDENTIALING, Role.ADMIN)
def revoke(serial: str):
    """Revoke a certificate with a reason (audited; the record and its verify URL remain)."""
    form = RevokeForm()
    if not form.validate_on_submit():
        flash("Give the reason for the revocation.", "error")
    else:
        try:
            certificate = certificate_revoke(serial=serial, reason=form.reason.data, actor=current_user,
                                             now=utcnow())
        except CertificateError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(f"Certificate {certificate.serial} is revoked.", "success")
    return redirect(url_for("certificates.manage", q=serial))
