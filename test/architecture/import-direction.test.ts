import { circles, fileCircles, placeOf, upwardImports } from './layers';
import { sourceFiles } from './source-files';

/** The import order of README.md's architecture section, checked on every file of lib/, functions/, infra/ and up. */

describe('the direction of imports', () => {
  const files = sourceFiles();

  test('every source file sits on a layer', () => {
    const homeless = files.map((f) => f.path).filter((path) => placeOf(path) === undefined);
    expect(homeless).toEqual([]);
  });

  test('no import points up the layers', () => {
    expect(upwardImports(files)).toEqual([]);
  });

  test('the folders of one layer never import each other in a circle', () => {
    expect(circles(files)).toEqual([]);
  });

  test('no file imports itself through others', () => {
    expect(fileCircles(files)).toEqual([]);
  });

  test('the checks see what they look for', () => {
    const bad = [
      { path: 'lib/leads/model.ts', imports: ['lib/http/route.ts', 'lib/campaigns/repository.ts', 'lib/table/keys.ts'] },
      { path: 'lib/campaigns/repository.ts', imports: ['lib/leads/model.ts'] },
    ];
    expect(upwardImports(bad)).toEqual([expect.stringContaining('lib/leads/model.ts (records: leads, campaigns, notifications) imports lib/http/route.ts')]);
    expect(circles(bad)).toEqual(['lib/leads/ → lib/campaigns/ → … → lib/leads/', 'lib/campaigns/ → lib/leads/ → … → lib/campaigns/']);
    expect(fileCircles(bad)).toEqual(['lib/leads/model.ts → lib/campaigns/repository.ts → lib/leads/model.ts']);
    expect(sourceFiles().find((f) => f.path === 'lib/leads/model.ts')!.imports).toContain('lib/table/keys.ts');
  });
});
