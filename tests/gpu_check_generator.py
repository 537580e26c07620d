"""Manual GPU check, not collected by pytest and NOT YET RUN on a GPU: `python tests/gpu_check_generator.py 4`
(default + 3 other configs per problem vs PyTorch on CUDA at sizes /4; prints OK/WRONG/ERROR and rough times)."""
import importlib.util, sys, time, types, traceback
from pathlib import Path
import torch

REPO = Path(__file__).resolve().parents[1]
package = types.ModuleType("kernelwright"); package.__path__ = []; sys.modules["kernelwright"] = package
for sub in ("harness", "agent"):
    spec = importlib.util.spec_from_file_location(f"kernelwright.{sub}", REPO / sub / "__init__.py",
                                                  submodule_search_locations=[str(REPO / sub)])
    module = importlib.util.module_from_spec(spec); sys.modules[spec.name] = module; spec.loader.exec_module(module)
sys.path.insert(0, str(REPO / "tests"))
from helpers_problems import problem_files
from kernelwright.harness.capture import capture_graph
from kernelwright.agent.generator import plan_or_reason, default_config, render, config_space
import re, tempfile

def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m

divisor = int(sys.argv[1]) if len(sys.argv) > 1 else 4
tmp = Path(tempfile.mkdtemp())
for f in problem_files():
    src = f.read_text()
    src = re.sub(r"^([A-Z][A-Z0-9_]*)[ \t]*=[ \t]*(\d+)", lambda m: f"{m.group(1)} = {max(3, int(m.group(2)) // divisor - 1) if int(m.group(2)) > 64 else m.group(2)}", src, flags=re.M)
    p = tmp / f.name; p.write_text(src)
    try:
        prob = load(p, "prob_" + f.stem)
        torch.manual_seed(0); init = prob.get_init_inputs(); ref = prob.Model(*init).cuda()
        inputs = [x.cuda() if torch.is_tensor(x) else x for x in prob.get_inputs()]
        graph = capture_graph(ref, inputs)
        pl, why = plan_or_reason(graph)
        if pl is None:
            print(f.name, "NO PLAN", why); continue
        configs = [default_config(pl, {"kind": "cuda", "sm_count": torch.cuda.get_device_properties(0).multi_processor_count})]
        space = config_space(pl); configs += [space[0], space[len(space) // 2], space[-1]]
        for cfg in configs:
            cand_path = tmp / f"cand_{f.stem}.py"; cand_path.write_text(render(pl, cfg))
            cand = load(cand_path, "cand_" + f.stem)
            model = cand.ModelNew(*init).cuda(); model.load_state_dict(ref.state_dict())
            with torch.no_grad():
                exp = ref(*inputs); got = model(*inputs)
            tol = 1e-4 if exp.dtype == torch.float32 else 1e-2
            ok = torch.allclose(got, exp, atol=tol, rtol=tol) if exp.is_floating_point() else torch.equal(got, exp)
            torch.cuda.synchronize(); t = time.perf_counter()
            for _ in range(5): model(*inputs)
            torch.cuda.synchronize(); tc = (time.perf_counter() - t) / 5
            t = time.perf_counter()
            for _ in range(5): ref(*inputs)
            torch.cuda.synchronize(); tr = (time.perf_counter() - t) / 5
            err = (got.double() - exp.double()).abs().max().item()
            print(f.name, pl.family, "OK" if ok else "WRONG", f"err={err:.2e}", f"cand={tc*1e3:.2f}ms ref={tr*1e3:.2f}ms", cfg, flush=True)
    except Exception:
        print(f.name, "ERROR", traceback.format_exc()[-1500:], flush=True)
