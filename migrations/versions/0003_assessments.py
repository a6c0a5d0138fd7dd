"""Assessments: question banks and revisions, exam attempts and answers, disqualifications, completions; exam rules and definitions on course versions.

Revision ID: 0003_assessments
Revises: 0002_courses
Create Date: 2026-11-28 08:32:35.504137

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_assessments'
down_revision = '0002_courses'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('question_bank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('source_path', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_bank')),
    sa.UniqueConstraint('key', name=op.f('uq_question_bank_key'))
    )
    op.create_table('question_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_key', sa.String(length=120), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('cite', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('stem_md', sa.Text(), nullable=False),
    sa.Column('feedback_md', sa.Text(), nullable=False),
    sa.Column('stem_html', sa.Text(), nullable=False),
    sa.Column('feedback_html', sa.Text(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_bank.id'], name=op.f('fk_question_revision_bank_id_question_bank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_revision')),
    sa.UniqueConstraint('question_key', 'content_hash', name=op.f('uq_question_revision_question_key_content_hash'))
    )
    with op.batch_alter_table('question_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_revision_bank_id'), ['bank_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_revision_question_key'), ['question_key'], unique=False)

    op.create_table('course_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_version.id'], name=op.f('fk_course_completion_course_version_id_course_version')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_course_completion_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_course_completion_officer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_completion')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_course_completion_enrollment_id'))
    )
    with op.batch_alter_table('course_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_completion_officer_id'), ['officer_id'], unique=False)

    op.create_table('disqualification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reversed_by_id', sa.Integer(), nullable=True),
    sa.Column('reversal_reason', sa.Text(), nullable=True),
    sa.Column('reversal_kind', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_disqualification_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['reversed_by_id'], ['user.id'], name=op.f('fk_disqualification_reversed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disqualification'))
    )
    with op.batch_alter_table('disqualification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disqualification_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('exam_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('exam_key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('remediation', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('item_scores', sa.JSON(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('override_score', sa.Float(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('override_by_id', sa.Integer(), nullable=True),
    sa.Column('override_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'submitted', 'expired')", name=op.f('ck_exam_attempt_status')),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_version.id'], name=op.f('fk_exam_attempt_course_version_id_course_version')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_exam_attempt_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['override_by_id'], ['user.id'], name=op.f('fk_exam_attempt_override_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_attempt')),
    sa.UniqueConstraint('enrollment_id', 'exam_key', 'number', name=op.f('uq_exam_attempt_enrollment_id_exam_key_number'))
    )
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_attempt_enrollment_id'), ['enrollment_id'], unique=False)

    op.create_table('attempt_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['exam_attempt.id'], name=op.f('fk_attempt_answer_attempt_id_exam_attempt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_answer')),
    sa.UniqueConstraint('attempt_id', 'index', name=op.f('uq_attempt_answer_attempt_id_index'))
    )
    with op.batch_alter_table('attempt_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_answer_attempt_id'), ['attempt_id'], unique=False)

    with op.batch_alter_table('course_version', schema=None) as batch_op:
        # Versions made before exams existed: the program's default rules, no exams.
        batch_op.add_column(sa.Column('rules', sa.JSON(), nullable=False, server_default=sa.text(
            """'{"pass_mark": 70, "remediations": 1, "max_failures": 2}'""")))
        batch_op.add_column(sa.Column('exams', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))




def downgrade():

    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_column('exams')
        batch_op.drop_column('rules')

    with op.batch_alter_table('attempt_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_answer_attempt_id'))

    op.drop_table('attempt_answer')
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_attempt_enrollment_id'))

    op.drop_table('exam_attempt')
    with op.batch_alter_table('disqualification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disqualification_enrollment_id'))

    op.drop_table('disqualification')
    with op.batch_alter_table('course_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_completion_officer_id'))

    op.drop_table('course_completion')
    with op.batch_alter_table('question_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_revision_question_key'))
        batch_op.drop_index(batch_op.f('ix_question_revision_bank_id'))

    op.drop_table('question_revision')
    op.drop_table('question_bank')

