# moto_server as `moto_server -H 127.0.0.1 -p PORT` runs it, with one line per request appended to
# a log: what the server was asked, counted by the server rather than by the client that asks.
#   python counting_moto.py PORT LOGFILE
# Each line: METHOD<TAB>PATH<TAB>QUERY<TAB>flags<TAB>STATUS, where flags holds 'c' when the request
# carried x-amz-copy-source (CopyObject / UploadPartCopy) and 'r' when it carried a Range header.
import sys
import threading

from moto.moto_server.threaded_moto_server import DomainDispatcherApplication
from moto.server import create_backend_app
from werkzeug.serving import run_simple

port = int(sys.argv[1])
log = open(sys.argv[2], "a", buffering=1, encoding="utf-8")
lock = threading.Lock()


class Counting:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        flags = ("c" if "HTTP_X_AMZ_COPY_SOURCE" in environ else "") + ("r" if "HTTP_RANGE" in environ else "")
        line = [environ.get("REQUEST_METHOD", "?"), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), flags]

        def counting_start(status, headers, exc_info=None):
            with lock:
                log.write("\t".join(line + [status.split(" ", 1)[0]]) + "\n")
            return start_response(status, headers, exc_info)

        return self.app(environ, counting_start)


app = DomainDispatcherApplication(create_backend_app)
run_simple("127.0.0.1", port, Counting(app), threaded=True)
