-- wrk: POST a customer with 15 emails, 25 phones and 150 websites (the limits), unique per request.
local counter = 0
local threads = {}

-- Each thread gets its own global thread_id (a local here would shadow it), so tags differ.
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  -- wrk.format's headers argument would replace the Authorization header given with -H.
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 100 + thread_id)
  run = math.random(1, 1000000000)
end

request = function()
  counter = counter + 1
  local tag = run .. "-" .. thread_id .. "-" .. counter
  local emails, phones, websites = {}, {}, {}
  for i = 1, 15 do emails[i] = '{"email":"c' .. tag .. '-' .. i .. '@bench.example"}' end
  for i = 1, 25 do phones[i] = '{"phone":"+1 555 ' .. string.format("%04d", i) .. '"}' end
  for i = 1, 150 do websites[i] = '{"website":"https://bench.example/' .. tag .. '/' .. i .. '"}' end
  local body = '{"first_name":"Bench","last_name":"Customer ' .. tag .. '","emails":[' ..
    table.concat(emails, ",") .. '],"phones":[' .. table.concat(phones, ",") ..
    '],"websites":[' .. table.concat(websites, ",") .. ']}'
  return wrk.format("POST", nil, nil, body)
end
