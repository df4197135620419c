"""The daemon as a real subprocess: scheduled crawls of a local site, alerts to local receivers."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlite_utils import Database

from tests.helpers import Daemon, log_events, run_newswatch, wait_for, write_daemon_config
from tests.receivers import Receiver, free_port

SECRET = "s3cr3t-pa55"


def alerts_table(config_dir: Path) -> list[dict]:
    path = config_dir / "data" / "newswatch.db"
    if not path.exists():
        return []
    db = Database(path)
    return list(db["alerts"].rows) if db["alerts"].exists() else []


def crawl_runs(config_dir: Path) -> int:
    path = config_dir / "data" / "newswatch.db"
    if not path.exists():
        return 0
    table = Database(path)["crawl_runs"]
    return table.count if table.exists() else 0


@pytest.mark.e2e
def test_daemon_alerts_on_body_names_only_stops_cleanly_and_never_repeats(tmp_path, demo_server):
    receiver = Receiver(free_port()).start()
    config_dir = write_daemon_config(
        tmp_path / "cfg", demo_server.base, f"json://127.0.0.1:{receiver.port}/hook"
    )
    try:
        daemon = Daemon(config_dir)
        wanted = {"Sergei Lavrov", "Khaled Meshal", "John Kerry"}
        wait_for(lambda: wanted <= set(receiver.watches_alerted()), what="the three alerts")
        wait_for(lambda: crawl_runs(config_dir) >= 3, what="three scheduled crawls")
        code, err = daemon.stop()
        assert code == 0, err[-3000:]
        events = log_events(err)
        names = {e["event"] for e in events}
        assert {"daemon_started", "crawl_finished", "alert_sent", "daemon_stopped"} <= names
        alerted = receiver.watches_alerted()
        assert "Joe Biden" not in alerted and "Bernie Sanders" not in alerted, alerted
        seed = [m for m in receiver.messages if "Russian Foreign Minister" in m["title"]]
        assert sorted(m["title"].split(":")[1].split(" in ")[0].strip() for m in seed) == sorted(
            wanted
        )
        assert any("Lavrov" in m["message"] for m in seed), "the body carries a snippet"
        assert all("ledger" in m["message"] and "http://127.0.0.1" in m["message"] for m in seed)
        # Meshal also appears, declined, in the Russian article: "Машал*" found it.
        assert any("Машал" in m["message"] for m in receiver.messages)
        delivered = len(receiver.messages)
        assert all(a["status"] == "delivered" for a in alerts_table(config_dir))

        # A restart repeats nothing, however often the sources are crawled again.
        runs = crawl_runs(config_dir)
        daemon = Daemon(config_dir)
        wait_for(lambda: crawl_runs(config_dir) >= runs + 3, what="three more crawls")
        code, err = daemon.stop()
        assert code == 0, err[-3000:]
        assert len(receiver.messages) == delivered, receiver.watches_alerted()
    finally:
        receiver.stop()


@pytest.mark.e2e
def test_the_daemon_works_when_started_beside_folders_named_like_its_packages(
    tmp_path, demo_server
):
    """`cd ~/home && newswatch --config ./config run`: the user's TOML-only config/, and
    folders called crawler/ and pipelines/, never hide newswatch's own packages from the
    crawls the daemon starts (`python -m` would put the working directory first)."""
    home = tmp_path / "home"
    receiver = Receiver(free_port()).start()
    try:
        write_daemon_config(
            home / "config", demo_server.base, f"json://127.0.0.1:{receiver.port}/hook"
        )
        for folder in ("crawler", "pipelines"):
            (home / folder).mkdir()
            (home / folder / "notes.toml").write_text('about = "not Python"\n')
        daemon = Daemon(Path("config"), cwd=home)
        wanted = {"Sergei Lavrov", "Khaled Meshal", "John Kerry"}
        wait_for(lambda: wanted <= set(receiver.watches_alerted()), what="the three alerts")
        db = Database(home / "config" / "data" / "newswatch.db")
        # Alerts go out while the crawl still runs: its end is waited for, not raced.
        wait_for(lambda: next(db["crawl_runs"].rows)["status"] != "running", what="a first run")
        code, err = daemon.stop()
    finally:
        receiver.stop()
    assert code == 0, err[-3000:]
    assert "ImportError" not in err and "Traceback" not in err, err[-3000:]
    assert db["articles"].count >= 5
    assert next(db["crawl_runs"].rows)["status"] == "finished"


def failed_runs(config_dir: Path) -> list[dict]:
    path = config_dir / "data" / "newswatch.db"
    if not path.exists():
        return []
    db = Database(path)
    return list(db.query("SELECT * FROM crawl_runs WHERE status = 'failed' ORDER BY id"))


@pytest.mark.e2e
def test_crawls_that_die_at_start_up_are_failed_runs_and_turn_the_source_failing(
    tmp_path, demo_server
):
    """A crawl that dies before it can write its own row (here: sources.toml broken while
    the daemon runs) still ends as a row, with the child's last error as its reason; three
    such runs turn the source failing, and the metrics count them."""
    config_dir = write_daemon_config(tmp_path / "cfg", demo_server.base, "json://127.0.0.1:9/x")
    (config_dir / "watchlist.toml").write_text("")
    sources = config_dir / "sources.toml"
    good = sources.read_text()
    port = free_port()
    daemon = Daemon(config_dir, "--metrics-port", str(port))
    try:
        wait_for(lambda: daemon.events("crawl_finished"), what="a first crawl")
        sources.write_text(good + "[[source]\n")  # each crawl from now on dies as it loads it
        wait_for(lambda: len(failed_runs(config_dir)) >= 3, what="three failed runs", timeout=90)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
    finally:
        code, err = daemon.stop()
        sources.write_text(good)
    assert code == 0, err[-3000:]
    for run in failed_runs(config_dir):
        assert run["reason"].startswith(
            "the crawl process exited with code 1: sources.toml: not valid TOML"
        ), run
        assert run["finished"] and run["pid"], run
    failed = [e for e in daemon.events("crawl_finished") if e.get("exit_code") == 1]
    assert failed and all(e["status"] == "failed" for e in failed), failed
    assert 'newswatch_crawls_total{source="ledger",status="failed"}' in metrics.decode()
    status = run_newswatch("--config", str(config_dir), "status", "--json")
    (row,) = json.loads(status.stdout)["sources"]
    assert row["verdict"] == "failing", row
    assert "sources.toml: not valid TOML" in row["reasons"][0], row


@pytest.mark.e2e
def test_a_crawl_stopped_in_its_first_second_still_ends_as_a_run(tmp_path, demo_server):
    """Ctrl-C on the daemon while its crawl is still starting up: the crawl has no row of
    its own yet, and the daemon writes it, interrupted (not a failure of the source)."""
    config_dir = write_daemon_config(tmp_path / "cfg", demo_server.base, "json://127.0.0.1:9/x")
    daemon = Daemon(config_dir)
    wait_for(lambda: daemon.events("crawl_started"), what="a crawl to start", timeout=60)
    code, err = daemon.stop(signal.SIGINT)
    assert code == 0, err[-3000:]
    (run,) = Database(config_dir / "data" / "newswatch.db")["crawl_runs"].rows
    assert run["status"] == "interrupted" and run["finished"], run
    (finished,) = [e for e in daemon.events("crawl_finished") if "exit_code" in e]
    assert finished["status"] == "interrupted", finished


@pytest.mark.e2e
def test_the_crawls_log_comes_out_in_the_daemons_own_format(tmp_path, demo_server):
    """A daemon writing console lines shows its crawls' events as console lines too (they
    write JSON lines to it), each with its source and the crawl's pid."""
    config_dir = write_daemon_config(tmp_path / "cfg", demo_server.base, "json://127.0.0.1:9/x")
    daemon = Daemon(config_dir, log_format="console")
    wait_for(
        lambda: any("article_stored" in line for line in daemon.lines),
        what="a crawl's article_stored event",
        timeout=90,
    )
    code, err = daemon.stop()
    assert code == 0, err[-3000:]
    as_json = [line for line in err.splitlines() if line.lstrip().startswith("{")]
    assert not as_json, as_json[:3]
    started = [line for line in err.splitlines() if "daemon_started" in line]
    stored = [line for line in err.splitlines() if "article_stored" in line]
    assert started and stored, err[-3000:]
    # One shape: timestamp, level, event, logger, fields.
    assert re.match(r"\S+Z \[info\s*\] daemon_started\s+\[newswatch.daemon\]", started[0])
    assert re.match(r"\S+Z \[info\s*\] article_stored\s+\[newswatch.pipelines\]", stored[0])
    crawl_pids = {e for line in stored for e in re.findall(r"\bpid=(\d+)", line)}
    assert "source=ledger" in stored[0] and crawl_pids, stored[0]
    assert str(daemon.proc.pid) not in crawl_pids, "the pid is the crawl's, not the daemon's"


@pytest.mark.e2e
def test_alerts_wait_while_the_channel_is_down_and_survive_sigkill(tmp_path, demo_server):
    port = free_port()
    config_dir = write_daemon_config(
        tmp_path / "cfg", demo_server.base, f"json://127.0.0.1:{port}/hook"
    )
    daemon = Daemon(config_dir)
    wait_for(
        lambda: any(a["attempts"] >= 1 for a in alerts_table(config_dir)),
        what="a failed delivery attempt",
        timeout=180,
    )
    pending = alerts_table(config_dir)
    # None delivered; one may be claimed (`sending`) by the attempt under way right now.
    assert pending and all(a["status"] in ("pending", "sending") for a in pending), pending
    assert all("127.0.0.1" in (a["last_error"] or "127.0.0.1") for a in pending)
    daemon.proc.kill()  # SIGKILL: no chance to clean up
    daemon.proc.wait(timeout=30)

    receiver = Receiver(port).start()
    try:
        daemon = Daemon(config_dir)
        expected = {(a["watch"], a["article_id"]) for a in alerts_table(config_dir)}
        wait_for(
            lambda: all(a["status"] == "delivered" for a in alerts_table(config_dir)),
            what="delivery once the receiver is back",
            timeout=180,
        )
        time.sleep(3)  # a few more alert rounds: nothing is sent twice
        code, err = daemon.stop()
        assert code == 0, err[-3000:]
        assert len(receiver.messages) == len(alerts_table(config_dir)) >= len(expected)
        assert len(set(receiver.watches_alerted())) == len({w for w, _ in expected})
    finally:
        receiver.stop()


@pytest.mark.e2e
def test_a_second_daemon_on_the_same_database_is_refused(tmp_path, demo_server):
    config_dir = write_daemon_config(
        tmp_path / "cfg", demo_server.base, f"json://127.0.0.1:{free_port()}/hook"
    )
    first = Daemon(config_dir)
    try:
        wait_for(lambda: crawl_runs(config_dir) >= 1, what="the first daemon to start")
        second = run_newswatch("--config", str(config_dir), "run", timeout=30)
        assert second.returncode == 1, second.stdout + second.stderr
        assert f"another newswatch daemon (pid {first.proc.pid}) is running" in second.stderr
    finally:
        code, err = first.stop()
    assert code == 0, err[-3000:]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.mark.e2e
def test_an_alert_reaches_a_local_smtp_server_and_secrets_stay_out_of_logs(tmp_path, demo_server):
    mailbox = Mailbox()
    port = free_port()

    def login(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.password == SECRET.encode())

    smtp = Controller(
        mailbox, hostname="127.0.0.1", port=port, authenticator=login, auth_require_tls=False
    )
    smtp.start()
    try:
        notify = (
            f"mailto://newswatch:{SECRET}@example.com?smtp=127.0.0.1&port={port}"
            "&mode=insecure&from=newswatch@example.com&to=analyst@example.com"
        )
        config_dir = write_daemon_config(tmp_path / "cfg", demo_server.base, notify)
        listing = run_newswatch("--config", str(config_dir), "watches")
        assert listing.returncode == 0 and SECRET not in listing.stdout + listing.stderr
        assert "mailto://newswatch:****@example.com" in listing.stdout, listing.stdout
        daemon = Daemon(config_dir)
        wait_for(lambda: len(mailbox.messages) >= 3, what="three e-mails")
        code, err = daemon.stop()
        assert code == 0, err[-3000:]
        assert SECRET not in err
        subjects = [m.content.decode("utf-8", "replace") for m in mailbox.messages]
        assert any("Sergei Lavrov" in s for s in subjects)
        assert all(m.rcpt_tos == ["analyst@example.com"] for m in mailbox.messages)
        # Each e-mail names its alert, for a mail filter to drop a repeat.
        assert all(re.search(r"^X-Newswatch-Alert: alert-\d+\r?$", s, re.M) for s in subjects)
        shown = run_newswatch("--config", str(config_dir), "alerts")
        assert shown.returncode == 0 and "Sergei Lavrov" in shown.stdout
        assert SECRET not in shown.stdout + shown.stderr
    finally:
        smtp.stop()


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_running_crawl_gets_its_grace_period_on_stop(tmp_path, signum):
    from crawler.siteserver import SiteServer
    from tests.sites import generate_site

    generate_site(tmp_path / "site", 40)
    with SiteServer(tmp_path / "site") as server:
        server.delay = 0.2
        # A generous grace: on a loaded machine a graceful stop can take seconds.
        config_dir = write_daemon_config(
            tmp_path / "cfg", server.base, "json://127.0.0.1:9/x", stop_grace="40s"
        )
        (config_dir / "sources.toml").write_text(
            f'[[source]]\nname = "slow"\nfeeds = ["{server.base}/feed.xml"]\nschedule = "1h"\n'
        )
        (config_dir / "watchlist.toml").write_text("")
        daemon = Daemon(config_dir)
        wait_for(lambda: len(server.paths()) >= 5, what="the crawl to start")
        code, err = daemon.stop(signum, timeout=90)
    assert code == 0, err[-3000:]
    db = Database(config_dir / "data" / "newswatch.db")
    run = next(db["crawl_runs"].rows)
    assert run["status"] == "interrupted", run  # stopped by the daemon, not killed
    assert {e["event"] for e in log_events(err)} >= {"daemon_stopping", "daemon_stopped"}
    # A clean stop: nothing at error level (the alert job fell due while the daemon waited
    # for its crawl; APScheduler used to try to run it after its executor stopped).
    assert [e for e in log_events(err) if e["level"] in ("error", "critical")] == []
    assert os.path.exists(config_dir / "data" / "newswatch.db.jobs.sqlite")


def test_jobs_are_reconciled_with_the_configuration_and_keep_their_next_run(tmp_path):
    """Sources added, removed and rescheduled; an unchanged job keeps its next run time."""
    from config import load_config
    from scheduler import Daemon as SchedulerDaemon

    def configure(sources: dict[str, str]):
        (tmp_path / "sources.toml").write_text(
            "".join(
                f'[[source]]\nname = "{name}"\nfeeds = ["http://127.0.0.1:9/{name}.xml"]\n'
                f'schedule = "{schedule}"\n'
                for name, schedule in sources.items()
            )
        )
        return load_config(tmp_path)

    def jobs(config):
        """The stored jobs before and after reconciling with `config`."""
        daemon = SchedulerDaemon(config)
        daemon.scheduler.start(paused=True)
        try:
            before = {j.id: (str(j.trigger), j.next_run_time) for j in daemon.scheduler.get_jobs()}
            daemon.reconcile()
            after = {j.id: (str(j.trigger), j.next_run_time) for j in daemon.scheduler.get_jobs()}
            return before, after
        finally:
            daemon.scheduler.shutdown(wait=False)

    _, first = jobs(configure({"ledger": "1h", "courier": "2h", "wire": "0 6 * * *"}))
    assert set(first) == {"crawl:ledger", "crawl:courier", "crawl:wire", "alerts"}
    assert "cron" in first["crawl:wire"][0]
    before, second = jobs(configure({"ledger": "1h", "courier": "30m", "post": "15m"}))
    assert set(second) == {"crawl:ledger", "crawl:courier", "crawl:post", "alerts"}
    assert second["crawl:ledger"] == before["crawl:ledger"], "unchanged: same next run"
    assert second["crawl:courier"][0] != before["crawl:courier"][0], "rescheduled"
    assert "0:30:00" in second["crawl:courier"][0]


@pytest.mark.e2e
def test_a_hanging_crawl_is_stopped_at_its_timeout_and_the_daemon_goes_on(tmp_path):
    from crawler.siteserver import SiteServer
    from tests.sites import generate_site

    generate_site(tmp_path / "site", 40)
    with SiteServer(tmp_path / "site") as server:
        server.delay = 0.5
        config_dir = write_daemon_config(
            tmp_path / "cfg",
            server.base,
            "json://127.0.0.1:9/x",
            crawl_timeout="4s",
            stop_grace="5s",
        )
        (config_dir / "sources.toml").write_text(
            f'[[source]]\nname = "slow"\nfeeds = ["{server.base}/feed.xml"]\nschedule = "1h"\n'
        )
        (config_dir / "watchlist.toml").write_text("")
        daemon = Daemon(config_dir)
        wait_for(
            lambda: (
                crawl_runs(config_dir) >= 1
                and next(Database(config_dir / "data" / "newswatch.db")["crawl_runs"].rows)[
                    "status"
                ]
                != "running"
            ),
            what="the crawl to be stopped",
            timeout=60,
        )
        assert daemon.proc.poll() is None, "the daemon outlives the crawl it stopped"
        code, err = daemon.stop()
    assert code == 0, err[-3000:]
    events = {e["event"]: e for e in log_events(err) if e["event"] != "crawl_finished"}
    assert events["crawl_timeout"]["source"] == "slow"
    (finished,) = [e for e in daemon.events("crawl_finished") if "exit_code" in e]
    assert finished["exit_code"] != 0 and finished["status"] == "killed", finished
    # A crawl that outlives its timeout is killed, a failure of its source, even when it
    # then stopped in good order and called itself interrupted.
    run = next(Database(config_dir / "data" / "newswatch.db")["crawl_runs"].rows)
    assert (run["status"], run["reason"]) == ("killed", "stopped after crawl_timeout"), run


@pytest.mark.e2e
def test_alert_commands(tmp_path, demo_server):
    receiver = Receiver(free_port()).start()
    try:
        config_dir = write_daemon_config(
            tmp_path / "cfg", demo_server.base, f"json://127.0.0.1:{receiver.port}/hook"
        )
        crawled = run_newswatch("--config", str(config_dir), "crawl")
        assert crawled.returncode == 0, crawled.stderr
        assert "new alert(s)" in crawled.stdout
        pending = run_newswatch(
            "--config", str(config_dir), "alerts", "--pending", "--watch", "sergei lavrov"
        )
        assert pending.returncode == 0 and "Sergei Lavrov" in pending.stdout
        assert not re.search(r"#\d+ Khaled Meshal ·", pending.stdout), pending.stdout
        # A watch the corpus never had is a mistake, named with the choices.
        gone = run_newswatch("--config", str(config_dir), "alerts", "--watch", "Nobody")
        assert gone.returncode == 2 and "Sergei Lavrov" in gone.stderr, gone.stderr
        later = run_newswatch("--config", str(config_dir), "alerts", "--since", "2099-01-01")
        assert later.returncode == 0 and "no alerts" in later.stdout
        recent = run_newswatch("--config", str(config_dir), "alerts", "--since", "2 hours")
        assert recent.returncode == 0 and "Sergei Lavrov" in recent.stdout, recent.stderr
        bad = run_newswatch("--config", str(config_dir), "alerts", "--since", "soonish")
        assert bad.returncode == 2 and "is not a date or time like 2026-11-28" in bad.stderr
        test = run_newswatch("--config", str(config_dir), "notify-test", "John Kerry")
        assert test.returncode == 0, test.stdout + test.stderr
        assert receiver.messages[-1]["title"] == "newswatch test: John Kerry"
        # Backfill: already alerted articles are not alerted again; nothing is sent.
        again = run_newswatch("--config", str(config_dir), "backfill", "Sergei Lavrov")
        assert again.returncode == 0 and "0 alert(s) would be raised" in again.stdout
        unknown = run_newswatch("--config", str(config_dir), "backfill", "Nobody")
        assert unknown.returncode == 1 and "no watch named 'Nobody'" in unknown.stderr
        assert len(receiver.messages) == 1
    finally:
        receiver.stop()


@pytest.mark.e2e
def test_a_daemon_killed_while_sending_sends_that_alert_again_under_its_key(tmp_path, demo_server):
    """The alert is claimed (`sending`) before it is sent: the webhook holds the first POST
    while the daemon is killed; the next daemon sends that alert again with the same key
    (a receiver keeping keys drops the repeat), and every other alert once."""
    receiver = Receiver(free_port(), hold=True).start()
    config_dir = write_daemon_config(
        tmp_path / "cfg", demo_server.base, f"json://127.0.0.1:{receiver.port}/hook"
    )
    try:
        daemon = Daemon(config_dir)
        wait_for(receiver.holding.is_set, what="the first alert's POST")
        daemon.proc.kill()  # SIGKILL while the message is on its way
        daemon.proc.wait(timeout=30)
        receiver.release.set()
        held = [a for a in alerts_table(config_dir) if a["status"] == "sending"]
        assert len(held) == 1 and held[0]["claimed_at"], alerts_table(config_dir)
        key = f"alert-{held[0]['id']}"
        assert receiver.keys == [key]

        daemon = Daemon(config_dir)
        wait_for(
            lambda: all(a["status"] == "delivered" for a in alerts_table(config_dir)),
            what="every alert's delivery",
        )
        time.sleep(3)  # a few more alert rounds: nothing more is sent
        code, err = daemon.stop()
        assert code == 0, err[-3000:]
    finally:
        receiver.stop()
    alerts = {a["id"]: a for a in alerts_table(config_dir)}
    assert alerts[held[0]["id"]]["attempts"] == 2  # the interrupted send, then the new one
    assert sorted(receiver.keys) == sorted([key, *(f"alert-{n}" for n in alerts)])
    assert [m["newswatch_alert"] for m in receiver.messages] == receiver.keys
    interrupted = [e["alert_id"] for e in log_events(err) if e["event"] == "alert_send_interrupted"]
    assert interrupted == [held[0]["id"]]


@pytest.mark.e2e
def test_cron_users_deliver_without_the_daemon_and_alerts_given_up_can_be_retried(
    tmp_path, demo_server
):
    """crawl --notify and deliver send what is pending; a channel that keeps failing makes
    an alert `failed` after [daemon] max_attempts, and alerts --retry brings it back."""
    port = free_port()
    config_dir = write_daemon_config(
        tmp_path / "cfg",
        demo_server.base,
        f"json://127.0.0.1:{port}/hook",
        retry_min="0s",
        retry_max="0s",
        max_attempts="2",
    )
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace('max_attempts = "2"', "max_attempts = 2"))
    cli = ["--config", str(config_dir)]
    first = run_newswatch(*cli, "crawl", "--notify")  # the channel is down
    assert first.returncode == 1, first.stdout + first.stderr
    assert "0 alert(s) delivered" in first.stdout and "failed" in first.stdout
    expected = len(alerts_table(config_dir))
    assert expected >= 2 and all(a["status"] == "pending" for a in alerts_table(config_dir))
    second = run_newswatch(*cli, "deliver")
    assert second.returncode == 1
    assert {a["status"] for a in alerts_table(config_dir)} == {"failed"}, "given up after 2"
    assert run_newswatch(*cli, "deliver").stdout.startswith("0 alert(s) delivered, 0 failed")

    retried = run_newswatch(*cli, "alerts", "--retry")
    assert f"{expected} failed alert(s) pending again" in retried.stdout, retried.stdout
    receiver = Receiver(port).start()
    try:
        sent = run_newswatch(*cli, "deliver")
    finally:
        receiver.stop()
    assert sent.returncode == 0 and f"{expected} alert(s) delivered, 0 failed" in sent.stdout
    assert len(receiver.messages) == expected
    assert {a["status"] for a in alerts_table(config_dir)} == {"delivered"}
