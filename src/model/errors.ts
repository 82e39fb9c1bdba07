// Errors of the model piece: a bundle that is missing, malformed, or not what its manifest says.
// Thrown by manifest/bundle loading on the BS and on agents; rendered by cli/main.ts.
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';

// A model bundle file is missing, corrupted (sha256), or its manifest is invalid.
export class ModelBundleError extends WdmoeError {
  readonly file: string;
  readonly expectedSha256: string | undefined;
  readonly actualSha256: string | undefined;

  constructor(
    code: 'bundle-missing' | 'bundle-corrupt' | 'bundle-invalid' | 'bundle-sha256',
    file: string,
    detail: string,
    options: { expectedSha256?: string; actualSha256?: string; hint?: string; cause?: unknown } = {},
  ) {
    const message =
      code === 'bundle-sha256'
        ? `model file ${file}: sha256 is ${options.actualSha256}, manifest says ${options.expectedSha256}`
        : `model file ${file}: ${detail}`;
    super(code, message, {
      exitCode: EXIT_BAD_INPUT,
      hint:
        options.hint ??
        (code === 'bundle-sha256' || code === 'bundle-missing'
          ? 're-export the bundle (scripts/export_bundle.py) or restore it from git: git checkout -- models/'
          : 'check manifest.json against docs/model.md'),
      cause: options.cause,
    });
    this.file = file;
    this.expectedSha256 = options.expectedSha256;
    this.actualSha256 = options.actualSha256;
  }
}
