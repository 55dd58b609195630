-- wrk script for bench/cluster.py: a photo-sharing mix. Each request is, at random, a home-feed
-- read (70%), a like (22%) or a photo upload (8%), by one of the benchmark's users. The users'
-- tokens, the photos to like and the upload body come from files bench/cluster.py writes.
local dir = os.getenv("BENCH_MIX_DIR")
local tokens, photos = {}, {}
for line in io.lines(dir .. "/tokens.txt") do tokens[#tokens + 1] = line end
for line in io.lines(dir .. "/photos.txt") do photos[#photos + 1] = line end
local file = io.open(dir .. "/upload.body", "rb")
local upload = file:read("*a")
file:close()
local boundary = io.open(dir .. "/boundary.txt"):read("*l")

request = function()
  local headers = { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] }
  local roll = math.random(100)
  if roll <= 70 then
    return wrk.format("GET", "/api/v1/users/self/feed?count=20", headers)
  elseif roll <= 92 then
    return wrk.format("POST", "/api/v1/media/" .. photos[math.random(#photos)] .. "/likes", headers, "")
  end
  headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  return wrk.format("POST", "/api/v1/media", headers, upload)
end
