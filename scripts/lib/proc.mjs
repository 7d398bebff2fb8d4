// Process-tree handling from /proc (Linux). code-server's wrapper spawns the server, which
// spawns a file watcher, pty host, agent host, extension host and language servers; they all
// have to go when we stop. Descendants are collected *before* any signal is sent, because a
// child re-parents to init as soon as its parent dies and could no longer be found.
import { readdirSync, readFileSync } from 'node:fs';

/** @returns {Map<number, { ppid: number, comm: string, state: string }>} */
function processTable() {
  const table = new Map();
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return table; // not Linux: nothing to walk
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …   — comm may contain spaces and parentheses
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const [state, ppid] = stat.slice(close + 2).split(' ');
      table.set(Number(name), { ppid: Number(ppid), comm, state });
    } catch {
      // the process ended while we were reading
    }
  }
  return table;
}

/** Every descendant of `pid` (children, grandchildren, …), not including `pid` itself. */
export function descendants(pid) {
  const table = processTable();
  const children = new Map();
  for (const [p, info] of table) {
    if (!children.has(info.ppid)) children.set(info.ppid, []);
    children.get(info.ppid).push(p);
  }
  const out = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift();
    out.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Direct children of `pid` with their command names. */
export function children(pid) {
  const out = [];
  for (const [p, info] of processTable()) if (info.ppid === pid) out.push({ pid: p, comm: info.comm });
  return out;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops `roots` and all their descendants: collect the whole tree, SIGTERM every process,
 * wait up to `graceMs`, then SIGKILL whatever is left.
 * @param {number[]} roots
 * @param {{ graceMs?: number }} [opts]
 * @returns {Promise<{ pids: number[], killed: number[] }>}
 */
export async function killTree(roots, opts = {}) {
  const graceMs = opts.graceMs ?? 3000;
  const pids = [];
  for (const root of roots) {
    if (!root) continue;
    pids.push(...descendants(root).reverse(), root);
  }
  const unique = [...new Set(pids)].filter((p) => p !== process.pid);
  // Where /proc is missing (macOS), a root spawned with `detached: true` still leads its own
  // process group: signal the group as well.
  const groups = roots.filter((r) => r && r !== process.pid).map((r) => -r);
  for (const p of [...unique, ...groups]) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && unique.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
  const killed = unique.filter(isAlive);
  for (const p of [...killed, ...groups]) signal(p, 'SIGKILL');
  return { pids: unique, killed };
}
