-- wrk: POST a typical customer: 3 emails (one at a domain many customers share), 2 phones (one
-- shared by many), 2 websites; unique per request.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 100 + thread_id)
  run = math.random(1, 1000000000)
end

request = function()
  counter = counter + 1
  local tag = run .. "-" .. thread_id .. "-" .. counter
  local body = '{"first_name":"Small","last_name":"Customer ' .. tag .. '","emails":[' ..
    '{"email":"s' .. tag .. '@shared-domain.example"},{"email":"s' .. tag .. '@home.example"},' ..
    '{"email":"s' .. tag .. '@work.example"}],"phones":[{"phone":"+1 555 0100"},' ..
    '{"phone":"+1 555 ' .. string.format("%04d", counter % 10000) .. '"}],"websites":[' ..
    '{"website":"https://shared-domain.example"},{"website":"https://s' .. tag .. '.example"}]}'
  return wrk.format("POST", nil, nil, body)
end
