-- wrk: PATCH one customer's last name, a new value each time.
local counter = 0

request = function()
  counter = counter + 1
  local body = '{"last_name":"Updated ' .. counter .. '"}'
  return wrk.format("PATCH", nil, {["Content-Type"] = "application/json"}, body)
end
