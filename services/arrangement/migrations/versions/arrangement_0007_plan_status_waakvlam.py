"""arrangement: a plan's status names the waakvlam (a closed plan kept in view), checked by the database

Until now a closed plan with `waakvlam_op` set was the waakvlam; from here it has status 'waakvlam'
(services/arrangement/domain.py LEVENSCYCLUS). The unique index on the active plan stays as it is.

Revision ID: arrangement_0007
Revises: arrangement_0006
"""

from alembic import op

revision = "arrangement_0007"
down_revision = "arrangement_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE arrangement.plannen SET status = 'waakvlam' WHERE status = 'afgesloten' AND waakvlam_op IS NOT NULL"
    )
    op.create_check_constraint(
        "plan_status", "plannen", "status IN ('actief', 'waakvlam', 'afgesloten')", schema="arrangement"
    )


def downgrade() -> None:
    op.drop_constraint("plan_status", "plannen", type_="check", schema="arrangement")
    op.execute("UPDATE arrangement.plannen SET status = 'afgesloten' WHERE status = 'waakvlam'")
