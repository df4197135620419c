"""The Celery app of a newswatch cluster, built from the configuration: the daemon sends
`newswatch.crawl` tasks with it, `newswatch worker` runs them (crawler/cluster/worker.py).

Settings from the measurements behind issue 17: a task is acknowledged when it has run
(a worker killed mid-crawl gives it back), one task reserved at a time, a task whose worker
went silent given to another after `visibility_timeout` (checked every few seconds, not
kombu's ~100 s), and a running task cancelled when the worker loses its broker connection
(the broker hands the task out again; without this it ran twice at once).
"""

from __future__ import annotations

from celery import Celery

from config import Config

CRAWL_TASK = "newswatch.crawl"


def visibility_timeout(config: Config) -> float:
    """How long a task taken by a worker may go unacknowledged before another worker gets it:
    [cluster] visibility_timeout, by default above the longest crawl."""
    return config.cluster.visibility_timeout or config.daemon.crawl_timeout + 300


def make_app(config: Config) -> Celery:
    """The app for `config`'s [cluster] broker (which must be set), with the crawl task."""
    broker = config.cluster.broker
    if broker is None:
        raise ValueError("[cluster] broker is not set")
    app = Celery("newswatch", broker=broker, set_as_current=False)
    app.conf.update(
        task_default_queue=config.cluster.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout(config),
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
        },
        # Our logging (structlog) stays in charge; Celery's records go through it.
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        task_ignore_result=True,
        result_backend=None,
        accept_content=["json"],
        task_serializer="json",
    )

    @app.task(name=CRAWL_TASK, bind=True, max_retries=None)
    def crawl(task, source: str, run_id: int) -> None:
        from crawler.cluster.worker import run_crawl_task

        run_crawl_task(config, task, source, run_id)

    return app
