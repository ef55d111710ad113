-- wrk script template for POST workloads (bench/run sets the variables; see bench/README.md).
--
-- Static body (e.g. client_credentials: the same request every time):
--   BENCH_BODY            request body, already form-encoded      (default: empty)
--   BENCH_AUTHORIZATION   Authorization header value, e.g. "Basic ..." (default: none)
--   BENCH_CONTENT_TYPE    (default: application/x-www-form-urlencoded)
--   BENCH_METHOD          (default: POST)
--   BENCH_SCOPE           X-Grantd-Scope header value (/check workloads; default: none)
-- With a static body wrk pre-builds the request once and never calls Lua per request, so the
-- script costs nothing on the hot path.
--
-- Single-use bodies (e.g. pre-minted authorization codes):
--   BENCH_BODY_FILE       one form-encoded body per line; wrk thread i of BENCH_WRK_THREADS
--                         takes lines i, i+T, i+2T, ... so no two threads send the same body.
--                         When a thread runs out it starts over (repeats then show up as
--                         non-2xx responses in wrk's output). Thread ids come from setup(),
--                         which wrk calls in its main Lua state once per thread, handed to
--                         each thread's own Lua state by thread:set("tid", ...); init() then
--                         keeps that thread's lines, and request() walks them in order for
--                         all of the thread's connections, so each line is sent once.
--                         bench/run gives the warm-up a file of its own and the preflight a
--                         body of its own (BENCH_WARMUP_BODY_FILE, BENCH_PREFLIGHT_BODY).
-- This mode calls request() per request, which costs wrk some throughput (the ceiling's run
-- pays the same).

wrk.method = os.getenv("BENCH_METHOD") or "POST"
wrk.body = os.getenv("BENCH_BODY") or ""
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/x-www-form-urlencoded"
local auth = os.getenv("BENCH_AUTHORIZATION")
if auth ~= nil and auth ~= "" then
   wrk.headers["Authorization"] = auth
end
local scope = os.getenv("BENCH_SCOPE")
if scope ~= nil and scope ~= "" then
   wrk.headers["X-Grantd-Scope"] = scope
end

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file ~= nil and body_file ~= "" then
   local next_tid = 0
   function setup(thread)
      thread:set("tid", next_tid)
      next_tid = next_tid + 1
   end

   local bodies, pos = {}, 0
   function init(args)
      local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
      local n = 0
      for line in io.lines(body_file) do
         if line ~= "" then
            if n % nthreads == tid then
               bodies[#bodies + 1] = line
            end
            n = n + 1
         end
      end
      if #bodies == 0 then
         bodies[1] = wrk.body
      end
   end

   function request()
      pos = pos % #bodies + 1
      return wrk.format(nil, nil, nil, bodies[pos])
   end
end
