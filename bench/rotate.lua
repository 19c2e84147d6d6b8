-- wrk script: each request takes the next path from the file named by WRK_PATHS.
local paths = {}
local index = 0

init = function(args)
  local file = io.open(os.getenv("WRK_PATHS"), "r")
  for line in file:lines() do
    paths[#paths + 1] = line
  end
  file:close()
end

request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end
