# ale-py side of the single-thread benchmark: `python3 ale_py_bench.py GAME [FRAMES]` prints the CPU
# time (time.process_time) of FRAMES frames of act() with random minimal-set actions held 8 frames
# (frameskip 1, sticky 0) and getScreen every frame; compare with `perf stat` on examples/bench.rs.
import sys, time, numpy as np
from ale_py import ALEInterface, roms
game = sys.argv[1]; frames = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
ale = ALEInterface()
ale.setInt("random_seed", 0); ale.setInt("frame_skip", 1); ale.setFloat("repeat_action_probability", 0.0)
ale.loadROM(roms.get_rom_path(game))
acts = ale.getMinimalActionSet(); rng = np.random.default_rng(0)
buf = np.empty((ale.getScreenDims()[0], ale.getScreenDims()[1]), dtype=np.uint8)
c = time.process_time(); a = acts[0]
for f in range(frames):
    if f % 8 == 0: a = acts[rng.integers(len(acts))]
    ale.act(a)
    ale.getScreen(buf)
    if ale.game_over(): ale.reset_game()
c = time.process_time() - c
print(f"{game} ale-py {c:.3f} s CPU")
