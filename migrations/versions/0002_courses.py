"""Courses: immutable course versions and lesson revisions, drafts, classes, enrollments, progress.

Revision ID: 0002_courses
Revises: 0001_foundation
Create Date: 2026-11-28 08:20:07.396716

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_courses'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('key', name=op.f('uq_course_key'))
    )
    op.create_table('course_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('models', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('require_order', sa.Boolean(), nullable=False),
    sa.Column('outline', sa.JSON(), nullable=False),
    sa.Column('source_path', sa.String(length=300), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_version_course_id_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_course_version_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_version')),
    sa.UniqueConstraint('course_id', 'content_hash', name=op.f('uq_course_version_course_id_content_hash')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_version_course_id_number'))
    )
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_version_course_id'), ['course_id'], unique=False)

    op.create_table('lesson_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('source_path', sa.String(length=300), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_lesson_revision_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_revision')),
    sa.UniqueConstraint('lesson_key', 'content_hash', name=op.f('uq_lesson_revision_lesson_key_content_hash'))
    )
    with op.batch_alter_table('lesson_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_revision_lesson_key'), ['lesson_key'], unique=False)

    op.create_table('course_version_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('lesson_revision_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lesson_revision_id'], ['lesson_revision.id'], name=op.f('fk_course_version_item_lesson_revision_id_lesson_revision')),
    sa.ForeignKeyConstraint(['version_id'], ['course_version.id'], name=op.f('fk_course_version_item_version_id_course_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_version_item')),
    sa.UniqueConstraint('version_id', 'lesson_key', name=op.f('uq_course_version_item_version_id_lesson_key')),
    sa.UniqueConstraint('version_id', 'position', name=op.f('uq_course_version_item_version_id_position'))
    )
    with op.batch_alter_table('course_version_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_version_item_lesson_revision_id'), ['lesson_revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_version_item_version_id'), ['version_id'], unique=False)

    op.create_table('lesson_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('base_revision_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['base_revision_id'], ['lesson_revision.id'], name=op.f('fk_lesson_draft_base_revision_id_lesson_revision')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_lesson_draft_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_draft')),
    sa.UniqueConstraint('lesson_key', name=op.f('uq_lesson_draft_lesson_key'))
    )
    op.create_table('training_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_version.id'], name=op.f('fk_training_class_course_version_id_course_version')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_training_class_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_class'))
    )
    with op.batch_alter_table('training_class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_class_course_version_id'), ['course_version_id'], unique=False)

    op.create_table('class_instructor',
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['training_class.id'], name=op.f('fk_class_instructor_class_id_training_class')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_class_instructor_user_id_user')),
    sa.PrimaryKeyConstraint('class_id', 'user_id', name=op.f('pk_class_instructor'))
    )
    with op.batch_alter_table('class_instructor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_instructor_user_id'), ['user_id'], unique=False)

    op.create_table('enrollment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('last_position', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['class_id'], ['training_class.id'], name=op.f('fk_enrollment_class_id_training_class')),
    sa.ForeignKeyConstraint(['course_version_id'], ['course_version.id'], name=op.f('fk_enrollment_course_version_id_course_version')),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['user.id'], name=op.f('fk_enrollment_enrolled_by_id_user')),
    sa.ForeignKeyConstraint(['officer_id'], ['user.id'], name=op.f('fk_enrollment_officer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment')),
    sa.UniqueConstraint('class_id', 'officer_id', name=op.f('uq_enrollment_class_id_officer_id'))
    )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollment_course_version_id'), ['course_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrollment_officer_id'), ['officer_id'], unique=False)

    op.create_table('lesson_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('lesson_revision_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollment.id'], name=op.f('fk_lesson_completion_enrollment_id_enrollment')),
    sa.ForeignKeyConstraint(['lesson_revision_id'], ['lesson_revision.id'], name=op.f('fk_lesson_completion_lesson_revision_id_lesson_revision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_completion')),
    sa.UniqueConstraint('enrollment_id', 'position', name=op.f('uq_lesson_completion_enrollment_id_position'))
    )
    with op.batch_alter_table('lesson_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_completion_enrollment_id'), ['enrollment_id'], unique=False)




def downgrade():

    with op.batch_alter_table('lesson_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_completion_enrollment_id'))

    op.drop_table('lesson_completion')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_officer_id'))
        batch_op.drop_index(batch_op.f('ix_enrollment_course_version_id'))
        batch_op.drop_index(batch_op.f('ix_enrollment_class_id'))

    op.drop_table('enrollment')
    with op.batch_alter_table('class_instructor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_instructor_user_id'))

    op.drop_table('class_instructor')
    with op.batch_alter_table('training_class', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_class_course_version_id'))

    op.drop_table('training_class')
    op.drop_table('lesson_draft')
    with op.batch_alter_table('course_version_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_version_item_version_id'))
        batch_op.drop_index(batch_op.f('ix_course_version_item_lesson_revision_id'))

    op.drop_table('course_version_item')
    with op.batch_alter_table('lesson_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_revision_lesson_key'))

    op.drop_table('lesson_revision')
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_version_course_id'))

    op.drop_table('course_version')
    op.drop_table('course')

