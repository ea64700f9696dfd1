import t from 'tap'
import {
  MAX_IMPORT_ROWS,
  MAX_REPORTED_ERRORS,
  parseStandsCsv,
  parseStandsJson,
  standCodeKey,
  STAND_LIMITS,
  type ImportIssue,
  type StandImportResult,
  type StandInput,
} from '../../../src/features/stands/stand-import.js'

// Stand plan imports without a database: what a good file gives, and every way a bad one is refused with the
// row and column a person can find in their spreadsheet. All or nothing: a refusal carries no stands at all.

function stands(result: StandImportResult): StandInput[] {
  if (!result.ok) throw new Error(`expected stands, got ${JSON.stringify(result.errors)}`)
  return result.stands
}
function errors(result: StandImportResult): ImportIssue[] {
  if (result.ok || 'stands' in result) throw new Error(`expected errors and no stands, got ${JSON.stringify(result)}`)
  return result.errors
}
/** [row, path] of each error, the shape most assertions need. */
const where = (result: StandImportResult) => errors(result).map((e) => [e.row, e.path])

const fullStand: StandInput = {
  code: 'A-01',
  area: 'Halle 1, Ost',
  widthM: 3,
  depthM: 2.5,
  priceCents: 2500,
  features: { power: true, tables: 1, chairs: 2 },
  position: { x: 0, y: 10.5, w: 3, h: 2.5 },
}

t.test('JSON', async (t) => {
  t.test('a good array: the stands, as given', async (t) => {
    t.same(stands(parseStandsJson([fullStand, { code: 'B-02' }, { code: 'free', priceCents: 0, features: {} }])), [
      fullStand,
      { code: 'B-02' },
      { code: 'free', priceCents: 0 },
    ])
  })

  t.test('text is trimmed; an empty area is no area; EUR is accepted and not kept', async (t) => {
    t.same(stands(parseStandsJson([{ code: '  C 3 ', area: '   ', currency: 'EUR' }, { code: 'D', area: ' Foyer ', currency: 'eur' }])), [
      { code: 'C 3' },
      { code: 'D', area: 'Foyer' },
    ])
  })

  t.test('not an array, or an empty one: an error about the whole file', async (t) => {
    for (const body of [{ code: 'A' }, 'A', null, undefined, 42]) {
      t.same(errors(parseStandsJson(body)), [{ row: 0, path: '', message: 'Expected a JSON array of stands.' }], JSON.stringify(body) ?? 'undefined')
    }
    t.same(errors(parseStandsJson([])), [{ row: 0, path: '', message: 'The import holds no stands.' }])
  })

  t.test(`at most ${MAX_IMPORT_ROWS} stands`, async (t) => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ code: `S${i}` }))
    t.equal(stands(parseStandsJson(many(MAX_IMPORT_ROWS))).length, 2000)
    t.same(errors(parseStandsJson(many(MAX_IMPORT_ROWS + 1))), [{ row: 0, path: '', message: 'At most 2000 stands per import; this one has 2001.' }])
  })

  t.test('an element that is not an object', async (t) => {
    t.same(errors(parseStandsJson([{ code: 'A' }, 'B', null, ['C'], 4])), [
      { row: 2, path: '', message: 'Must be an object.' },
      { row: 3, path: '', message: 'Must be an object.' },
      { row: 4, path: '', message: 'Must be an object.' },
      { row: 5, path: '', message: 'Must be an object.' },
    ])
  })

  t.test('unknown fields, at any depth', async (t) => {
    t.same(errors(parseStandsJson([{ code: 'A', colour: 'red', features: { wifi: true }, position: { x: 1, y: 1, w: 1, h: 1, z: 0 } }])), [
      { row: 1, path: '/colour', message: 'Is not a field of a stand.' },
      { row: 1, path: '/features/wifi', message: "Is not a field of a stand's features." },
      { row: 1, path: '/position/z', message: "Is not a field of a stand's position." },
    ])
  })

  t.test('wrong types: one error each, and nothing more about the same field', async (t) => {
    t.same(
      errors(
        parseStandsJson([
          { code: 12 },
          { code: 'B', widthM: '2.5', depthM: null, priceCents: '2500' },
          { code: 'C', area: 7, currency: 978, features: { power: 'yes', tables: '1', chairs: true } },
          { code: 'D', features: [], position: 'A1' },
          { code: 'E', position: { x: '1', y: 1, w: 1, h: 1 } },
        ]),
      ),
      [
        { row: 1, path: '/code', message: 'Must be a string.' },
        { row: 2, path: '/widthM', message: 'Must be a number.' },
        { row: 2, path: '/depthM', message: 'Must be a number.' },
        { row: 2, path: '/priceCents', message: 'Must be a number.' },
        { row: 3, path: '/area', message: 'Must be a string.' },
        { row: 3, path: '/currency', message: 'Must be a string.' },
        { row: 3, path: '/features/power', message: 'Must be a boolean.' },
        { row: 3, path: '/features/tables', message: 'Must be a number.' },
        { row: 3, path: '/features/chairs', message: 'Must be a number.' },
        { row: 4, path: '/features', message: 'Must be an object.' },
        { row: 4, path: '/position', message: 'Must be an object.' },
        { row: 5, path: '/position/x', message: 'Must be a number.' },
      ],
    )
  })

  t.test('code: required, at most 32 characters, one line', async (t) => {
    t.same(where(parseStandsJson([{ area: 'Halle' }, { code: '' }, { code: '   ' }])), [
      [1, '/code'],
      [2, '/code'],
      [3, '/code'],
    ])
    t.equal(errors(parseStandsJson([{}]))[0].message, 'Is required.')
    t.equal(stands(parseStandsJson([{ code: 'x'.repeat(STAND_LIMITS.codeMaxLength) }]))[0].code.length, 32)
    t.same(errors(parseStandsJson([{ code: 'x'.repeat(33) }])), [{ row: 1, path: '/code', message: 'At most 32 characters.' }])
    t.same(errors(parseStandsJson([{ code: 'A\n1' }, { code: 'A\u00001' }])), [
      { row: 1, path: '/code', message: 'Must not contain line breaks or control characters.' },
      { row: 2, path: '/code', message: 'Must not contain line breaks or control characters.' },
    ])
    t.same(errors(parseStandsJson([{ code: 'A', area: 'a'.repeat(101) }, { code: 'B', area: 'Halle\t1' }])), [
      { row: 1, path: '/area', message: 'At most 100 characters.' },
      { row: 2, path: '/area', message: 'Must not contain line breaks or control characters.' },
    ])
  })

  t.test('sizes: more than 0, at most 100 m, centimetres at most', async (t) => {
    t.same(stands(parseStandsJson([{ code: 'A', widthM: 0.01, depthM: 100 }, { code: 'B', widthM: 2.55, depthM: 1.1 }])), [
      { code: 'A', widthM: 0.01, depthM: 100 },
      { code: 'B', widthM: 2.55, depthM: 1.1 },
    ])
    const bad = parseStandsJson([{ code: 'A', widthM: 0 }, { code: 'B', depthM: -2 }, { code: 'C', widthM: 100.01 }, { code: 'D', depthM: 2.555 }])
    t.same(errors(bad), [
      { row: 1, path: '/widthM', message: 'Must be more than 0 and at most 100 metres.' },
      { row: 2, path: '/depthM', message: 'Must be more than 0 and at most 100 metres.' },
      { row: 3, path: '/widthM', message: 'Must be more than 0 and at most 100 metres.' },
      { row: 4, path: '/depthM', message: 'At most two decimals (centimetres).' },
    ])
  })

  t.test('price: whole cents from 0 to 10,000,000', async (t) => {
    t.same(stands(parseStandsJson([{ code: 'A', priceCents: 0 }, { code: 'B', priceCents: 10_000_000 }])).map((s) => s.priceCents), [0, 10_000_000])
    t.same(where(parseStandsJson([{ code: 'A', priceCents: 12.5 }, { code: 'B', priceCents: -1 }, { code: 'C', priceCents: 10_000_001 }])), [
      [1, '/priceCents'],
      [2, '/priceCents'],
      [3, '/priceCents'],
    ])
    t.same(errors(parseStandsJson([{ code: 'A', currency: 'USD' }])), [{ row: 1, path: '/currency', message: 'Only EUR is supported.' }])
  })

  t.test('features: whole numbers of tables and chairs from 0 to 100', async (t) => {
    t.same(stands(parseStandsJson([{ code: 'A', features: { power: false, tables: 0, chairs: 100 } }]))[0].features, { power: false, tables: 0, chairs: 100 })
    t.same(where(parseStandsJson([{ code: 'A', features: { tables: 1.5 } }, { code: 'B', features: { chairs: -1 } }, { code: 'C', features: { tables: 101 } }])), [
      [1, '/features/tables'],
      [2, '/features/chairs'],
      [3, '/features/tables'],
    ])
  })

  t.test('position: all four or none; x and y from 0, w and h more than 0', async (t) => {
    t.same(stands(parseStandsJson([{ code: 'A', position: { x: 0, y: 0, w: 0.5, h: 100_000 } }]))[0].position, { x: 0, y: 0, w: 0.5, h: 100_000 })
    t.same(where(parseStandsJson([{ code: 'A', position: { x: 1, y: 2 } }])), [
      [1, '/position/w'],
      [1, '/position/h'],
    ])
    t.same(where(parseStandsJson([{ code: 'A', position: {} }])), [
      [1, '/position/x'],
      [1, '/position/y'],
      [1, '/position/w'],
      [1, '/position/h'],
    ])
    t.same(errors(parseStandsJson([{ code: 'A', position: { x: -1, y: 100_001, w: 0, h: -3 } }])), [
      { row: 1, path: '/position/x', message: 'Must be from 0 to 100000.' },
      { row: 1, path: '/position/y', message: 'Must be from 0 to 100000.' },
      { row: 1, path: '/position/w', message: 'Must be more than 0 and at most 100000.' },
      { row: 1, path: '/position/h', message: 'Must be more than 0 and at most 100000.' },
    ])
  })

  t.test('codes are unique in the file, ignoring case and spaces', async (t) => {
    t.same(errors(parseStandsJson([{ code: 'A1' }, { code: 'B1' }, { code: ' a1 ' }, { code: 'A1' }])), [
      { row: 3, path: '/code', message: 'Duplicate code "a1": also in row 1.' },
      { row: 4, path: '/code', message: 'Duplicate code "A1": also in row 1.' },
    ])
    t.equal(standCodeKey(' Ä-1 '), 'ä-1')
    t.equal(standCodeKey('A\u0308-1'), standCodeKey('Ä-1'), 'composed and decomposed umlauts are one code')
    t.same(stands(parseStandsJson([{ code: 'A\u0308-1' }])), [{ code: '\u00C4-1' }], 'and the code is stored composed')
    t.same(where(parseStandsJson([{ code: '\u00C4-1' }, { code: 'a\u0308-1' }])), [[2, '/code']], 'so a decomposed duplicate is caught')
  })

  t.test('and new to the event when the service names the codes it has', async (t) => {
    const result = parseStandsJson([{ code: 'A1' }, { code: 'b2' }, { code: 'C3' }], { existingCodes: ['B2', 'Z9'] })
    t.same(errors(result), [{ row: 2, path: '/code', message: 'A stand with code "b2" already exists at this event.' }])
    t.ok(parseStandsJson([{ code: 'A1' }], { existingCodes: new Set(['A2']) }).ok, 'any iterable')
  })

  t.test('one bad row among good ones refuses the whole import', async (t) => {
    const body = Array.from({ length: 50 }, (_, i) => ({ code: `S${i}`, widthM: 3 }))
    body[37].widthM = -3
    t.same(where(parseStandsJson(body)), [[38, '/widthM']])
  })

  t.test(`the first ${MAX_REPORTED_ERRORS} errors are listed, all are counted, in row order`, async (t) => {
    const body = Array.from({ length: 300 }, (_, i) => ({ code: i % 2 ? 'dup' : '', widthM: 0 }))
    const result = parseStandsJson(body)
    if (result.ok) return t.fail('must be refused')
    // Even rows: code missing and width 0 (150 × 2). Odd rows: width 0, and every odd row after the first a duplicate.
    t.equal(result.errorCount, 150 * 2 + 150 + 149)
    t.equal(result.errors.length, MAX_REPORTED_ERRORS)
    t.same(
      result.errors.slice(0, 5).map((e) => [e.row, e.path]),
      [
        [1, '/code'],
        [1, '/widthM'],
        [2, '/widthM'],
        [3, '/code'],
        [3, '/widthM'],
      ],
    )
    t.same(result.errors.map((e) => e.row), [...result.errors.map((e) => e.row)].sort((a, b) => a - b), 'sorted by row')
    t.ok(result.errors.some((e) => e.message.startsWith('Duplicate')), 'duplicates, found last, are sorted in among the rows')
  })
})

t.test('CSV', async (t) => {
  const header = 'code,area,widthM,depthM,priceCents,currency,power,tables,chairs,x,y,w,h'

  t.test('RFC 4180 with a BOM and CRLF: the same stands as the JSON', async (t) => {
    const csv = `\uFEFF${header}\r\nA-01,"Halle 1, Ost",3,2.5,2500,EUR,yes,1,2,0,10.5,3,2.5\r\nB-02,,,,,,,,,,,,\r\nfree,,,,0,,,,,,,,\r\n`
    t.same(stands(parseStandsCsv(csv)), [fullStand, { code: 'B-02' }, { code: 'free', priceCents: 0 }])
  })

  t.test('quotes: doubled quotes and line breaks inside a quoted cell', async (t) => {
    const csv = 'code,area\n"A ""1""","Halle ""Nord"", Ebene 2"\n"B\n2",x\nC,ok\n'
    const result = parseStandsCsv(csv)
    // The code with a line break is refused, on the row a spreadsheet shows it in (row 3), and C is row 4.
    t.same(where(result), [[3, 'code']])
    t.same(stands(parseStandsCsv('code,area\n"A ""1""","Halle ""Nord"", Ebene 2"\n')), [{ code: 'A "1"', area: 'Halle "Nord", Ebene 2' }])
  })

  t.test('a row after a multi-line cell keeps its spreadsheet row number', async (t) => {
    t.same(where(parseStandsCsv('code,area\nA,"two\nlines"\nB,x,extra\n')), [
      [2, 'area'],
      [3, ''],
    ])
  })

  t.test('LF, CRLF and CR line ends read alike', async (t) => {
    const expected = [{ code: 'A', area: 'x' }, { code: 'B' }]
    for (const eol of ['\n', '\r\n', '\r']) t.same(stands(parseStandsCsv(`code,area${eol}A,x${eol}B,${eol}`)), expected, JSON.stringify(eol))
    t.same(stands(parseStandsCsv('code,area\nA,x\nB,')), expected, 'no line end after the last row')
  })

  t.test('a German spreadsheet: semicolons and decimal commas', async (t) => {
    t.same(stands(parseStandsCsv('\uFEFFcode;area;widthM;depthM;priceCents\r\nA1;Halle 1, Ost;2,5;3;15000\r\n')), [
      { code: 'A1', area: 'Halle 1, Ost', widthM: 2.5, depthM: 3, priceCents: 15000 },
    ])
    t.same(stands(parseStandsCsv('code,widthM\nA1,"2,75"\n')), [{ code: 'A1', widthM: 2.75 }], 'a quoted decimal comma in a comma file')
    t.same(stands(parseStandsCsv('code;area\nA1,x;y\n')), [{ code: 'A1,x', area: 'y' }], 'the header alone decides the delimiter')
    t.same(stands(parseStandsCsv('code,area\nA1;x,y\n')), [{ code: 'A1;x', area: 'y' }], 'a header with a comma keeps the comma')
  })

  t.test('column names: any order, any case; errors name the column as the file spells it', async (t) => {
    t.same(stands(parseStandsCsv('WIDTHM, Code ,Area\n2,A1,Foyer\n')), [{ code: 'A1', area: 'Foyer', widthM: 2 }])
    t.same(errors(parseStandsCsv('WidthM,CODE\nwide,A1\n')), [{ row: 2, path: 'WidthM', message: 'Must be a number, e.g. 2.5 or 2,5.' }])
  })

  t.test('header problems are row 1 and stop before the rows', async (t) => {
    t.same(errors(parseStandsCsv('code,colour,size\nA,red,3\n')), [
      { row: 1, path: 'colour', message: 'Unknown column; the columns are code, area, widthM, depthM, priceCents, currency, power, tables, chairs, x, y, w, h.' },
      { row: 1, path: 'size', message: 'Unknown column; the columns are code, area, widthM, depthM, priceCents, currency, power, tables, chairs, x, y, w, h.' },
    ])
    t.same(errors(parseStandsCsv('code,area,Code\nA,x,B\n')), [{ row: 1, path: 'Code', message: 'This column appears twice.' }])
    t.same(errors(parseStandsCsv('area,widthM\nHalle,3\n')), [{ row: 1, path: 'code', message: 'The code column is required.' }])
    t.same(errors(parseStandsCsv('code,,area\nA,oops,x\n')), [{ row: 1, path: '', message: 'Column 2 has no name but holds values.' }])
    t.same(stands(parseStandsCsv('code,area,,\nA,x,,\nB,y,,\n')), [{ code: 'A', area: 'x' }, { code: 'B', area: 'y' }], 'empty nameless columns are ignored')
  })

  t.test('empty files', async (t) => {
    for (const csv of ['', '\uFEFF', '\n', ' , \n']) {
      t.same(errors(parseStandsCsv(csv)), [{ row: 0, path: '', message: 'The file is empty: expected a header row naming the columns.' }], JSON.stringify(csv))
    }
    for (const csv of ['code,area', 'code,area\r\n', 'code,area\n\n,\n']) {
      t.same(errors(parseStandsCsv(csv)), [{ row: 0, path: '', message: 'The file holds a header row but no stands.' }], JSON.stringify(csv))
    }
  })

  t.test('empty rows are skipped but counted', async (t) => {
    const csv = 'code,area\nA1,H1\n\n,\n ; \nA2,H2\nA3,H3,extra\n'
    t.same(errors(parseStandsCsv(csv)), [
      { row: 5, path: '', message: 'Has 1 cells; the header has 2 columns.' },
      { row: 7, path: '', message: 'Has 3 cells; the header has 2 columns.' },
    ])
    t.same(stands(parseStandsCsv('code,area\nA1,H1\n\n,\nA2,H2\n')), [{ code: 'A1', area: 'H1' }, { code: 'A2', area: 'H2' }])
  })

  t.test('rows of the wrong length; trailing empty cells are fine', async (t) => {
    t.same(where(parseStandsCsv('code,area,widthM\nA,x\nB,y,2,\nC,z,2,3\n')), [
      [2, ''],
      [4, ''],
    ])
  })

  t.test('broken quoting names the row', async (t) => {
    t.same(errors(parseStandsCsv('code,area\nA1,ok\nA2,"open\nA3,x\n')), [{ row: 3, path: '', message: 'A quoted cell is not closed: a " is missing.' }])
    t.same(errors(parseStandsCsv('code,area\nA1,5" wide\n')), [
      { row: 2, path: '', message: 'A " inside a cell that does not start with one: quote the whole cell and double the " inside it.' },
    ])
    t.same(errors(parseStandsCsv('code,area\nA1,ok\nA2,"Halle"Nord\n')), [
      { row: 3, path: '', message: 'Text follows the closing " of a quoted cell: quote the whole cell and double the " inside it.' },
    ])
    t.same(errors(parseStandsCsv(`code,area\nA,"${'x'.repeat(200_000)}\n`)), [
      { row: 2, path: '', message: 'A row is far too long: is a quote left open, or is the delimiter wrong?' },
    ])
  })

  t.test('numbers as text', async (t) => {
    t.same(stands(parseStandsCsv('code,widthM,depthM,priceCents,tables,chairs\nA, 2.5 ,3,0,0,12\n')), [
      { code: 'A', widthM: 2.5, depthM: 3, priceCents: 0, features: { tables: 0, chairs: 12 } },
    ])
    t.same(
      errors(parseStandsCsv('code,widthM,depthM,priceCents,tables,chairs\nA,2.5m,1e1,"25,00",two,1.5\nB,-2,"1.000,5",25.00,-1,\n')),
      [
        { row: 2, path: 'widthM', message: 'Must be a number, e.g. 2.5 or 2,5.' },
        { row: 2, path: 'depthM', message: 'Must be a number, e.g. 2.5 or 2,5.' },
        { row: 2, path: 'priceCents', message: 'Must be a whole number of cents, e.g. 2500 for 25 €.' },
        { row: 2, path: 'tables', message: 'Must be a whole number.' },
        { row: 2, path: 'chairs', message: 'Must be a whole number.' },
        { row: 3, path: 'widthM', message: 'Must be more than 0 and at most 100 metres.' },
        { row: 3, path: 'depthM', message: 'Must be a number, e.g. 2.5 or 2,5.' },
        { row: 3, path: 'priceCents', message: 'Must be a whole number of cents, e.g. 2500 for 25 €.' },
        { row: 3, path: 'tables', message: 'Must be a whole number from 0 to 100.' },
      ],
    )
  })

  t.test('power: yes or no in the usual spellings', async (t) => {
    const values = ['yes', 'no', 'true', 'false', 'ja', 'nein', '1', '0', 'JA', 'No', 'TRUE']
    const csv = 'code,power\n' + values.map((v, i) => `S${i},${v}\n`).join('')
    t.same(stands(parseStandsCsv(csv)).map((s) => s.features?.power), [true, false, true, false, true, false, true, false, true, false, true])
    t.same(errors(parseStandsCsv('code,power\nA,maybe\nB,x\n')), [
      { row: 2, path: 'power', message: 'Must be yes or no (true/false, ja/nein, 1/0).' },
      { row: 3, path: 'power', message: 'Must be yes or no (true/false, ja/nein, 1/0).' },
    ])
  })

  t.test('position: all four cells or none', async (t) => {
    t.same(stands(parseStandsCsv('code,x,y,w,h\nA,1,2,3,4\nB,,,,\n')), [{ code: 'A', position: { x: 1, y: 2, w: 3, h: 4 } }, { code: 'B' }])
    t.same(where(parseStandsCsv('code,x,y,w,h\nA,1,,3,\n')), [
      [2, 'y'],
      [2, 'h'],
    ])
    t.same(where(parseStandsCsv('code,x,y\nA,1,2\n')), [
      [2, 'w'],
      [2, 'h'],
    ], 'a column the file lacks is named as the contract names it')
    t.same(where(parseStandsCsv('code,x,y,w,h\nA,oops,2,3,4\n')), [[2, 'x']], 'a bad coordinate is reported once, not also as missing')
  })

  t.test('currency: EUR in any case, or nothing', async (t) => {
    t.same(stands(parseStandsCsv('code,currency\nA,EUR\nB,eur\nC,\n')), [{ code: 'A' }, { code: 'B' }, { code: 'C' }])
    t.same(errors(parseStandsCsv('code,currency\nA,USD\n')), [{ row: 2, path: 'currency', message: 'Only EUR is supported.' }])
  })

  t.test('text that was not UTF-8', async (t) => {
    t.same(errors(parseStandsCsv('code,area\nA1,Gro\uFFFDe Halle\n')), [{ row: 2, path: 'area', message: 'Is not valid UTF-8 text: save the file as "CSV UTF-8".' }])
  })

  t.test('duplicate codes with spreadsheet row numbers', async (t) => {
    t.same(errors(parseStandsCsv('code\nA1\nB1\n\na1\n', { existingCodes: ['B1'] })), [
      { row: 3, path: 'code', message: 'A stand with code "B1" already exists at this event.' },
      { row: 5, path: 'code', message: 'Duplicate code "a1": also in row 2.' },
    ])
    t.same(where(parseStandsCsv('Code\nA1\nA1\n')), [[3, 'Code']], 'the column as the file spells it')
  })

  t.test(`at most ${MAX_IMPORT_ROWS} stands; empty rows do not count`, async (t) => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `S${i},Halle`).join('\r\n')
    t.equal(stands(parseStandsCsv(`code,area\r\n${rows(MAX_IMPORT_ROWS)}\r\n\r\n,\r\n`)).length, 2000)
    t.same(errors(parseStandsCsv(`code,area\r\n${rows(MAX_IMPORT_ROWS + 1)}`)), [{ row: 0, path: '', message: 'At most 2000 stands per import; this file has 2001.' }])
  })

  t.test('a 2,000-row plan with one bad row: only that row is named', async (t) => {
    const lines = Array.from({ length: 2000 }, (_, i) => `S${i},Halle ${i % 3},3,2,${i * 100},yes,1,2,${i},0,3,2`)
    lines[1499] = 'S1499,Halle 0,3,2,free,yes,1,2,0,0,3,2'
    t.same(errors(parseStandsCsv(`code,area,widthM,depthM,priceCents,power,tables,chairs,x,y,w,h\n${lines.join('\n')}\n`)), [
      { row: 1501, path: 'priceCents', message: 'Must be a whole number of cents, e.g. 2500 for 25 €.' },
    ])
  })
})

t.test('whatever the import accepts, the body schema of POST /stands accepts too (generated rows)', async (t) => {
  const fc = await import('fast-check')
  const { Compile } = await import('typebox/compile')
  const { StandCreate } = await import('../../../src/features/stands/stands.schemas.js')
  const schema = Compile(StandCreate)
  // Mostly plausible values, so that many rows pass; the edges of every bound often enough to matter.
  const num = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 50 }) },
    { weight: 1, arbitrary: fc.double({ min: -1, max: 200_000, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 0.01, 2.5, 100, 100.001, 100_000, 10_000_000) },
  )
  const row = fc.record(
    {
      code: fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[A-Z]-\d{1,4}$/) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.constantFrom(' A-1 ', 'Ä', '', 'x'.repeat(32), 'x'.repeat(33)) }),
      area: fc.oneof(fc.constantFrom('Halle 1', ' Foyer '), fc.string({ maxLength: 110 })),
      widthM: num,
      depthM: num,
      priceCents: num,
      features: fc.record({ power: fc.boolean(), tables: num, chairs: num }, { requiredKeys: [] }),
      position: fc.record({ x: num, y: num, w: num, h: num }),
    },
    { requiredKeys: ['code'] },
  )
  let accepted = 0
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), (rows) => {
      const result = parseStandsJson(rows)
      if (!result.ok) return true
      accepted += result.stands.length
      return result.stands.every((stand) => schema.Check(stand))
    }),
    { seed: 20261203, numRuns: 2000 },
  )
  t.ok(accepted > 100, `${accepted} generated stands were accepted, each valid for the body schema`)
})
