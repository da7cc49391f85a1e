"""gunicorn's settings for `make serve` (config/serve.py) and the systemd web unit (deploy/).

The address comes from the command line (--bind). Workers: QIANGJI_WEB_WORKERS, else gunicorn's
rule of thumb 2 × cores + 1; each has a few threads, for the requests that wait on the database.
"""

import os

workers = int(os.environ.get("QIANGJI_WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = 4
# A spreadsheet of up to IMPORT_BACKGROUND_ROWS rows is checked within the request; nginx waits as long.
timeout = 120
graceful_timeout = 15
accesslog = "-"
# The control socket would live in the home directory, which the service account does not have,
# and two instances on one machine would fight over it; nothing here uses it.
control_socket_disable = True
