import { AppError } from '../errors/appError.js';
import { KeyVaultError, type KeyVault, type SealedRow, type SealedSecret } from './keyVault.js';

// The vault's failures as the API reports them. The messages name what the
// operator must do and never carry key material.

function toAppError(error: unknown): unknown {
  if (!(error instanceof KeyVaultError)) return error;
  if (error.failure === 'not_configured') {
    return new AppError('not_configured', 'API keys cannot be stored or used until the operator sets MASTER_KEY (openssl rand -base64 32) and restarts the server');
  }
  if (error.failure === 'unknown_master_key') {
    return new AppError('not_configured', 'This API key was encrypted with a master key the server does not hold; set MASTER_KEY_PREVIOUS to it and run npm run keys:rotate');
  }
  return new AppError('internal', 'A stored API key could not be decrypted; enter it again (rotate the key)');
}

/** Seals a new secret for the ApiKey row `rowId`, or throws an AppError the client can read. */
export function sealApiKey(vault: KeyVault, plaintext: string, rowId: string): SealedSecret {
  try {
    return vault.seal(plaintext, rowId);
  } catch (error) {
    throw toAppError(error);
  }
}

/** Opens a stored ApiKey row, or throws an AppError the client can read. */
export function openApiKey(vault: KeyVault, row: SealedRow): string {
  try {
    return vault.open(row);
  } catch (error) {
    throw toAppError(error);
  }
}
