"""One endpoint at a time, as fast as each client can go (no think time): the runner (tools/loadtest/__main__.py)
starts locust once per endpoint with LOADTEST_NAME, LOADTEST_PATH and LOADTEST_TOKEN or LOADTEST_SESSION."""
import os

from locust import HttpUser, constant, task


class Client(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        if os.environ.get("LOADTEST_TOKEN"):
            self.client.headers["Authorization"] = f"Token {os.environ['LOADTEST_TOKEN']}"
        if os.environ.get("LOADTEST_SESSION"):
            self.client.cookies.set("sessionid", os.environ["LOADTEST_SESSION"])

    @task
    def read(self):
        self.client.get(os.environ["LOADTEST_PATH"], name=os.environ["LOADTEST_NAME"])
