import { execFile } from 'child_process';
import { mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';

export interface PdfsigReport {
  /** pdfsig's exit code. */
  code: number;
  /** What it printed (stdout, then stderr). */
  output: string;
}

/**
 * What poppler's `pdfsig` (Debian's poppler-utils; .ci/run installs it) says of a PDF's
 * signatures. A missing pdfsig fails the test with the package to install, never skips it.
 */
export async function pdfsig(pdf: Buffer): Promise<PdfsigReport> {
  const dir = await mkdtemp(join(tmpdir(), 'pdfsig-'));
  try {
    const file = join(dir, 'certificate.pdf');
    await writeFile(file, pdf);
    return await new Promise<PdfsigReport>((resolve, reject) => {
      execFile('pdfsig', [file], { timeout: 30_000 }, (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          reject(new Error('pdfsig is not installed: apt-get install -y poppler-utils'));
          return;
        }
        const code = typeof error?.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
