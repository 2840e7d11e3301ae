-- wrk script: a POST with a small JSON body, for the nginx ceiling and /api/info floor runs.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"user1"}'
