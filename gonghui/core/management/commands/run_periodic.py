import signal
import time

from django.core.management.base import BaseCommand

from gonghui.core import periodic


class Command(BaseCommand):
    help = "Enqueue registered periodic jobs when they fall due (run beside db_worker)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")
        parser.add_argument("--once", action="store_true", help="check once and exit")

    def handle(self, *args, interval: float, once: bool, **options):
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while True:
            for name in periodic.run_due():
                self.stdout.write(f"enqueued {name}")
            if once or stopping:
                return
            deadline = time.monotonic() + interval
            while time.monotonic() < deadline and not stopping:
                time.sleep(0.5)
            if stopping:
                return
