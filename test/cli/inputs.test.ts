import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { cli } from './helpers';

describe('an input that is not a file', function () {
  this.timeout(60_000);

  it('match, seed and test name an events folder instead of failing inside a stream', () => {
    const folder = os.tmpdir();
    for (const args of [
      ['match', 'sigma', '--events', folder],
      ['seed', '--events', folder, '--index', 'never-created'],
      ['test', '--events', folder],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /NOT_A_FILE the events? file .* is a folder; give a file, or - for standard input/, args[0]);
      assert.doesNotMatch(r.stderr, /INTERNAL|EISDIR|engine:/, args[0]);
    }
  });
});
