"""gunicorn settings for the web service: deploy/zizhu-web.service and `make serve`.

Everything a site may change comes from the environment (the systemd unit reads
/etc/zizhu/env), so this file stays as shipped.
"""

import os
import sys
from pathlib import Path

# The project root: gunicorn changes into it and imports the project from it.
chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "aidsite.wsgi:application"

# nginx proxies to this address (deploy/nginx-zizhu.conf); a unix:/run/… path works too.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Synchronous workers: a slow Excel or PDF request holds one of them, so three on a
# 2-core server keep the admin answering; background jobs run in the worker service.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# The admin's Excel export and the ledger pages can take a while on a county's data.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then: WeasyPrint and openpyxl keep memory they once needed.
max_requests = 1000
max_requests_jitter = 100
# systemd (or `make serve`) supervises the server; no second control channel, and no
# socket in $HOME that two instances on one machine would fight over.
control_socket_disable = True
# X-Forwarded-Proto/-For are believed only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to stdout/stderr (the journal under systemd). Request lines carry URLs and
# referrers, and an ID number or phone typed into a URL ends up in them: the project's
# own filter and formatter mask every line, access and error alike (SECURITY D4).
sys.path.insert(0, chdir)
from aidsite.logging import gunicorn_logconfig  # noqa: E402

logconfig_dict = gunicorn_logconfig()
