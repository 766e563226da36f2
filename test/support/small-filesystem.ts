import { execFile } from 'node:child_process';
import { open, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real file system of a few megabytes (tmpfs) mounted on a folder, that a
 * test can fill up to the last byte and free again: the disk-full case with
 * the kernel's own ENOSPC. Needs root (or CAP_SYS_ADMIN); `mount()` resolves
 * null where that is not allowed, so the caller can skip with a notice.
 */
export class SmallFilesystem {
  private constructor(readonly dir: string) {}

  static async mount(dir: string, megabytes: number): Promise<SmallFilesystem | null> {
    await mkdir(dir, { recursive: true });
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'omt-test-tmpfs', dir]);
      return new SmallFilesystem(dir);
    } catch {
      return null;
    }
  }

  private get filler(): string {
    return path.join(this.dir, 'filler.bin');
  }

  /** Writes a file until the kernel answers ENOSPC: not one byte is left. */
  async fill(): Promise<void> {
    const file = await open(this.filler, 'a');
    const block = Buffer.alloc(64 * 1024, 0xaa);
    try {
      for (let size = block.length; size >= 1;) {
        try {
          await file.write(block.subarray(0, size));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          size = Math.floor(size / 2); // the last bytes, in smaller writes
        }
      }
    } finally {
      await file.close();
    }
  }

  async free(): Promise<void> {
    await rm(this.filler, { force: true });
  }

  /** Lazy: detached at once even while a killed process's files are still being closed. */
  async unmount(): Promise<void> {
    await run('umount', ['-l', this.dir]);
  }
}
