-- wrk: POST a customer, unique per request. Its size comes from the arguments after `--`:
-- EMAILS PHONES WEBSITES (default 15 25 150, the limits). The first email's domain, the first
-- phone and the first website are shared by every customer created, as real data shares them.
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
  n_emails, n_phones, n_websites = tonumber(args[1]) or 15, tonumber(args[2]) or 25, tonumber(args[3]) or 150
end

request = function()
  counter = counter + 1
  local tag = run .. "-" .. thread_id .. "-" .. counter
  local emails, phones, websites = {}, {}, {}
  for i = 1, n_emails do
    local domain = (i == 1) and "shared-domain.example" or "bench.example"
    emails[i] = '{"email":"c' .. tag .. '-' .. i .. '@' .. domain .. '"}'
  end
  for i = 1, n_phones do phones[i] = '{"phone":"+1 555 ' .. string.format("%04d", i) .. '"}' end
  for i = 1, n_websites do
    local url = (i == 1) and "https://shared-domain.example" or ("https://bench.example/" .. tag .. "/" .. i)
    websites[i] = '{"website":"' .. url .. '"}'
  end
  local body = '{"first_name":"Bench","last_name":"Customer ' .. tag .. '","emails":[' ..
    table.concat(emails, ",") .. '],"phones":[' .. table.concat(phones, ",") ..
    '],"websites":[' .. table.concat(websites, ",") .. ']}'
  return wrk.format("POST", nil, nil, body)
end
