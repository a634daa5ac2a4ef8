-- wrk: PATCH one customer's last name, a new value each time.
local counter = 0

function init(args)
  -- wrk.format's headers argument would replace the Authorization header given with -H.
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  counter = counter + 1
  local body = '{"last_name":"Updated ' .. counter .. '"}'
  return wrk.format("PATCH", nil, nil, body)
end
