from datetime import timedelta

from django.core.management.base import BaseCommand

from accounts.task_recovery import STALLED_AFTER, recover_stalled_tasks


class Command(BaseCommand):
    help = (
        "Enqueue again the email tasks whose worker stopped while running them, "
        "and forgot-password requests left without a task. Safe to run from cron."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--stalled-after",
            type=float,
            default=STALLED_AFTER.total_seconds() / 60,
            help="Minutes a task may run before it counts as stalled (default: "
            "%(default)s). With a shorter time, tasks that are still running count "
            "as stalled too, and their emails may go out twice.",
        )

    def handle(self, *args, stalled_after: float, **options) -> None:
        recovered = recover_stalled_tasks(timedelta(minutes=stalled_after))
        self.stdout.write(f"Enqueued {recovered} task(s) again.")
