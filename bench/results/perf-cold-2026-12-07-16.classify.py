# python3 classify.py DIR: main-thread perf samples (perf script) by the innermost Keel phase on the stack, and by kind
import subprocess, sys, re, collections, glob
files = sorted(glob.glob(sys.argv[1] + '/*.data'))
phases = [('meter', ['rewriteModule', 'transformSole']), ('validate', ['validateCore']), ('plan', ['planComponent']),
          ('encodePlan', ['encodePlan']), ('write', ['disk-cache.js:1', ' write host/loader/disk-cache', 'JS:^write file', 'JS:~write file', 'entryParts']),
          ('check', ['#checkDir', 'checkDir']), ('compile', ['#compileSync', 'compileSync']), ('describe', ['describe', 'readMeterInfo']),
          ('kernel-new', ['JS:~Kernel ', 'JS:^Kernel ', 'JS:*Kernel ']), ('close', ['close file']), ('load-other', ['loader.js', 'kernel.js'])]
tot = collections.Counter(); leafk = collections.defaultdict(collections.Counter); threads = collections.Counter()
def kind(frames):
    leaf = frames[0] if frames else ''
    if re.search(r'Heap::|Scavenge|MarkCompact|Sweeper|GCTracer|ConcurrentMarking|MemoryAllocator|Unmapper|ArrayBufferSweeper', ' '.join(frames[:12])): return 'gc'
    if re.search(r'compiler::|baseline::|Compiler::|Parser::|BytecodeGenerator|Maglev|Turbofan|OptimizedCompilationJob|Assembler|Liftoff|wasm::', ' '.join(frames[:15])): return 'compile'
    if leaf.startswith('JS:') or 'Builtins_' in leaf: return 'js/builtins'
    if re.match(r'^[a-z_0-9.]+$', leaf) and not leaf.startswith('v8'): return 'kernel/libc'
    return 'v8-runtime'
for f in files:
    out = subprocess.run(['perf', 'script', '-i', f, '-F', 'pid,tid,ip,sym'], capture_output=True, text=True).stdout
    for block in out.split('\n\n'):
        lines = [l for l in block.split('\n') if l.strip()]
        if not lines: continue
        m = re.match(r'\s*(\d+)/(\d+)', lines[0])
        if not m: continue
        pid, tid = m.group(1), m.group(2)
        frames = [re.sub(r'^\s*[0-9a-f]+\s+', '', l) for l in lines[1:]]
        main = pid == tid
        threads['main' if main else 'other'] += 1
        if not main:
            leafk['(other threads)'][kind(frames)] += 1; tot['(other threads)'] += 1; continue
        st = ' | '.join(frames)
        ph = 'no-js'
        if 'existsSync' in st or 'perfload.mjs' in st and 'loader.js' not in st and 'kernel.js' not in st: ph = 'script'
        for name, keys in phases:
            if any(k in st for k in keys): ph = name; break
        if ph == 'no-js':
            if 'epoll' in st or 'uv__run_timers' in st or 'uv__io_poll' in st: ph = 'script wait/event loop'
            elif 'do_sys_openat2' in st: ph = 'open (staging file), no JS frame'
            elif 'vfprintf' in st or 'vfs_write' in st or '_IO_' in st or '_itoa' in st: ph = 'perf map writes (profiling cost)'
            elif 'uv__run_check' in st: ph = 'setImmediate turn'
        tot[ph] += 1; leafk[ph][kind(frames)] += 1
print(threads, len(files), 'files')
N = sum(threads.values())
for ph, v in tot.most_common():
    print(f'{ph:16s} {v:6d} {100*v/N:5.1f}%  ', ', '.join(f'{k} {c}' for k, c in leafk[ph].most_common()))
