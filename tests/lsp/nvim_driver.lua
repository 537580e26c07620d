-- Drives kernelwright from a real editor: headless Neovim 0.7+.
-- Opens KW_FILE, selects KW_SELECT ("line:col:endline:endcol", 1-based lines,
-- 0-based byte columns), picks "Optimize" from the code action menu, waits for
-- kernelwright/searchFinished, picks "Apply candidate #1" (resolved by the
-- server), writes the file and quits. Everything it sees goes to KW_LOG.

local file = os.getenv("KW_FILE")
local log_path = os.getenv("KW_LOG")
local timeout_ms = tonumber(os.getenv("KW_TIMEOUT_MS") or "180000")
local server_cmd = vim.fn.json_decode(os.getenv("KW_SERVER_CMD"))
local settings = vim.fn.json_decode(os.getenv("KW_SETTINGS") or "{}")

local function log(msg)
  local f = io.open(log_path, "a")
  f:write(msg .. "\n")
  f:close()
end

local function fail(msg)
  log("FAIL " .. msg)
  vim.cmd("qa!")
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local finished = nil

local client_id = vim.lsp.start_client({
  name = "kernelwright",
  cmd = server_cmd,
  root_dir = vim.fn.fnamemodify(file, ":h"),
  init_options = { kernelwright = settings },
  settings = { kernelwright = settings },
  handlers = {
    ["kernelwright/searchFinished"] = function(_, result)
      log("finished " .. vim.fn.json_encode(result))
      finished = result
    end,
    ["kernelwright/searchProgress"] = function(_, result)
      log("progress " .. result.message)
    end,
    ["window/showMessage"] = function(_, result)
      log("message " .. result.message)
    end,
  },
})
if not client_id then
  return fail("could not start the server")
end
vim.lsp.buf_attach_client(bufnr, client_id)

local ok = vim.wait(30000, function()
  local c = vim.lsp.get_client_by_id(client_id)
  return c ~= nil and c.server_capabilities ~= nil and c.server_capabilities.codeActionProvider ~= nil
end, 100)
if not ok then
  return fail("server did not initialise")
end
log("initialised")

local sel = vim.split(os.getenv("KW_SELECT"), ":")
local start_pos = { tonumber(sel[1]), tonumber(sel[2]) }
local end_pos = { tonumber(sel[3]), tonumber(sel[4]) }

local chosen = nil
local function choose(prefix)
  chosen = nil
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      log("action " .. item[2].title)
    end
    for _, item in ipairs(items) do
      if item[2].title:sub(1, #prefix) == prefix then
        chosen = item[2].title
        log("chose " .. chosen)
        on_choice(item)
        return
      end
    end
    log("no action starting with " .. prefix)
    on_choice(nil)
  end
  vim.lsp.buf.range_code_action(nil, start_pos, end_pos)
end

choose("Optimize")
if not vim.wait(10000, function() return chosen ~= nil end, 50) then
  return fail("no Optimize action")
end
if not vim.wait(timeout_ms, function() return finished ~= nil end, 100) then
  return fail("search did not finish")
end
if finished.candidates < 1 then
  return fail("search finished without candidates")
end

local before = vim.api.nvim_buf_get_changedtick(bufnr)
choose("Apply candidate #1")
if not vim.wait(30000, function() return vim.api.nvim_buf_get_changedtick(bufnr) ~= before end, 50) then
  return fail("the candidate's edit was not applied")
end
vim.wait(200)
vim.cmd("write")
log("saved")
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd("qa!")
