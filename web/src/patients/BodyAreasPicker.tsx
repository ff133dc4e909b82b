import { Checkbox, CheckboxGroup, FieldError, Label, Text } from 'react-aria-components';
import type { components } from '../api/schema';

export type BodyArea = components['schemas']['BodyArea'];
type Area = components['schemas']['BodyAreaDto'];

const REGION_WORDS: Record<Area['region'], string> = { 'face-scalp': 'Face, head and neck', body: 'Body' };

/**
 * The treatment areas as a multi-select (React Aria's checkbox group: Tab into it, Space to
 * choose, the group and each region labelled for screen readers). The areas are the API's own
 * list (GET /v1/body-areas); the API's error about them is shown under the group (the form's
 * validationErrors under `bodyAreas`).
 */
export function BodyAreasPicker({ areas, value, onChange }: { areas: Area[]; value: BodyArea[]; onChange: (v: BodyArea[]) => void }) {
  const regions = [...new Set(areas.map((a) => a.region))];
  const chosen = areas.filter((a) => value.includes(a.id));
  // Kept in the list's order whatever the order of ticking.
  return (
    <CheckboxGroup className="field body-areas" name="bodyAreas" value={value} onChange={(v) => onChange(areas.map((a) => a.id).filter((id) => v.includes(id)))} isRequired>
      <Label className="field-label">Areas treated</Label>
      <Text slot="description" className="field-description">
        {chosen.length ? `Chosen: ${chosen.map((a) => a.label).join(', ')}` : 'Choose every area treated in this session.'}
      </Text>
      <div className="body-area-regions">
        {regions.map((region) => (
          <div key={region} role="group" aria-labelledby={`region-${region}`} className="body-area-region">
            <span id={`region-${region}`} className="body-area-region-label">
              {REGION_WORDS[region]}
            </span>
            <div className="body-area-options">
              {areas
                .filter((a) => a.region === region)
                .map((a) => (
                  <Checkbox key={a.id} value={a.id} className="body-area">
                    <span className="body-area-box" aria-hidden="true">
                      <svg viewBox="0 0 18 18">
                        <polyline points="2 9 7 14 16 4" />
                      </svg>
                    </span>
                    {a.label}
                  </Checkbox>
                ))}
            </div>
          </div>
        ))}
      </div>
      <FieldError className="field-error" />
    </CheckboxGroup>
  );
}
